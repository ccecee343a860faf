#if canImport(Glibc)
import Glibc
#endif
import QMPTestSupport
import QMPWire
import Testing

/// ``SafeFile``, the one helper every writer uses (transcript, `.record`, serial log, history, schema cache).
@Suite(.timeLimit(.minutes(1))) struct SafeFileTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "qmpkit-safefile")
    }

    func put(_ path: String, _ text: String, append: Bool = false) throws {
        let fd = try SafeFile.openForWriting(path, append: append)
        defer { close(fd) }
        #expect(Glibc.write(fd, text, text.utf8.count) == text.utf8.count)
    }

    @Test func newFilesAre0600WhateverTheUmask() throws {
        let old = umask(0)
        defer { umask(old) }
        let path = directory.file("new")
        try put(path, "a")
        #expect(Probe.mode(path) == 0o600)
        try put(path, "b", append: true)
        #expect(try ChildProcess.readFile(path) == "ab")
        try put(path, "c")
        #expect(try ChildProcess.readFile(path) == "c")
    }

    @Test func symbolicLinksAreNeverFollowed() throws {
        let target = directory.file("target")
        try ChildProcess.writeFile(target, "keep")
        let link = directory.file("link")
        #expect(symlink(target, link) == 0)
        #expect(throws: SafeFileError.self) { try put(link, "x") }
        do { try put(link, "x") } catch { #expect("\(error)".contains("symbolic link")) }
        // A dangling link too: O_EXCL does not create its target.
        let dangling = directory.file("dangling")
        #expect(symlink(directory.file("nowhere"), dangling) == 0)
        #expect(throws: SafeFileError.self) { try put(dangling, "x") }
        #expect(access(directory.file("nowhere"), F_OK) != 0)
        // replaceContents puts a file in the link's place and leaves the target alone.
        try SafeFile.replaceContents(of: link, with: Array("new".utf8))
        #expect(try ChildProcess.readFile(target) == "keep")
        #expect(try ChildProcess.readFile(link) == "new")
        #expect(Probe.mode(link) == 0o600)
    }

    @Test func filesOfOtherUsersFIFOsAndHardLinksAreRefused() throws {
        let foreign = directory.file("foreign")
        try ChildProcess.writeFile(foreign, "theirs")
        #expect(chmod(foreign, 0o666) == 0 && chown(foreign, 65534, 65534) == 0)
        do { try put(foreign, "x"); Issue.record("wrote into another user's file") } catch {
            #expect("\(error)".contains("belongs to another user"))
        }
        #expect(try ChildProcess.readFile(foreign) == "theirs")
        #expect(Probe.mode(foreign) == 0o666)

        let fifo = directory.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        do { try put(fifo, "x"); Issue.record("wrote into a FIFO") } catch {
            #expect("\(error)".contains("not a regular file"))
        }

        let original = directory.file("original")
        try ChildProcess.writeFile(original, "one")
        #expect(link(original, directory.file("second-name")) == 0)
        do { try put(original, "x"); Issue.record("wrote through a hard link") } catch {
            #expect("\(error)".contains("hard links"))
        }
    }

    @Test func ownFilesAreNarrowedTo0600() throws {
        let own = directory.file("own")
        try ChildProcess.writeFile(own, "old")
        #expect(chmod(own, 0o666) == 0)
        try put(own, "new")
        #expect(Probe.mode(own) == 0o600)
        #expect(try ChildProcess.readFile(own) == "new")
    }

    @Test func onlyFilesNoOneElseCanWriteAreTrustedForReading() throws {
        let good = directory.file("good")
        try ChildProcess.writeFile(good, "ok")
        #expect(chmod(good, 0o600) == 0)
        let fd = try #require(SafeFile.openTrustedForReading(good))
        #expect(SafeFile.readAll(fd) == Array("ok".utf8))
        #expect(chmod(good, 0o620) == 0)
        #expect(SafeFile.openTrustedForReading(good) == nil)
        #expect(chmod(good, 0o600) == 0 && chown(good, 65534, 65534) == 0)
        #expect(SafeFile.openTrustedForReading(good) == nil)
        let link = directory.file("good-link")
        #expect(symlink(good, link) == 0)
        #expect(SafeFile.openTrustedForReading(link) == nil)
        #expect(SafeFile.isWritableByOthers(good) == false)
        #expect(chmod(good, 0o646) == 0)
        #expect(SafeFile.isWritableByOthers(good) == true)
    }
}
