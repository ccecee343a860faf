import MonitorShell
import QMPWire
import Testing

/// Relative file names typed at qmpsh resolve against the user's folder (issue 15): only file-name arguments, only
/// relative ones without a protocol prefix.
@Suite struct LocalPathsTests {
    let paths = LocalPaths(directory: "/home/me")

    @Test func qmpFileNamesAtAnyDepth() {
        let given: JSONObject = [
            "id": "cdrom0", "filename": "b.iso", "format": "raw",
            "file": .object(["driver": "file", "filename": "./d/x.qcow2"]),
            "file.filename": "y.img", "options": .object(["file": .object(["filename": "/abs.img"])]),
        ]
        let resolved = paths.resolving(given)
        #expect(resolved["id"] == "cdrom0")
        #expect(resolved["format"] == "raw")
        #expect(resolved["filename"] == "/home/me/b.iso")
        #expect(resolved["file"]?["filename"] == "/home/me/d/x.qcow2")
        #expect(resolved["file.filename"] == "/home/me/y.img")
        #expect(resolved["options"]?["file"]?["filename"] == "/abs.img")
    }

    @Test func protocolsAndAbsolutePathsAreLeftAlone() {
        #expect(paths.resolve("nbd:localhost:10809") == "nbd:localhost:10809")
        #expect(paths.resolve(#"json:{"driver":"null-co"}"#) == #"json:{"driver":"null-co"}"#)
        #expect(paths.resolve("/tmp/a.iso") == "/tmp/a.iso")
        #expect(paths.resolve("a.iso") == "/home/me/a.iso")
        #expect(paths.resolve("sub/a.iso") == "/home/me/sub/a.iso")
    }

    @Test func hmpFileArguments() {
        #expect(paths.resolvingHMP("change ide1-cd0 b.iso") == "change ide1-cd0 /home/me/b.iso")
        #expect(paths.resolvingHMP("change ide1-cd0 b.iso raw") == "change ide1-cd0 /home/me/b.iso raw")
        #expect(paths.resolvingHMP("change vnc password") == "change vnc password")
        #expect(paths.resolvingHMP("screendump rel.ppm") == "screendump /home/me/rel.ppm")
        #expect(paths.resolvingHMP("drive_add 0 if=none,id=d1,file=d.qcow2,format=qcow2")
            == "drive_add 0 if=none,id=d1,file=/home/me/d.qcow2,format=qcow2")
        #expect(paths.resolvingHMP("info block") == "info block")
    }

    @Test func remoteMonitorsAreNotResolved() {
        #expect(LocalPaths.forMonitor("tcp:127.0.0.1:4444") == nil)
        #expect(LocalPaths.forMonitor("libvirt:web1") == nil)
        #expect(LocalPaths.forMonitor("/tmp/qmp.sock") != nil)
        #expect(LocalPaths.forMonitor("hmp:/tmp/hmp.sock") != nil)
    }
}
