import QMP
import QMPTestSupport
import Testing

/// A real QEMU's deepest replies (issue 14): `query-block` on a 600-deep qcow2 backing chain is ~293 KB nested 607
/// deep. The old parser's depth cap (512) dropped it silently; with first-in first-out matching every later reply
/// then went to the call before it. It must arrive as a typed reply, and the calls after it must get their own.
@Suite(.timeLimit(.minutes(2))) struct DeepReplyTests {
    @Test func queryBlockOnA600DeepBackingChainIsTypedAndLaterRepliesStayMatched() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-chain")
        let script = """
            set -e
            cd "$1"
            qemu-img create -q -f qcow2 b0.qcow2 1M
            # -u: the backing file need not exist yet, so the links are made four at a time.
            seq 1 600 | xargs -P 4 -I N sh -c 'qemu-img create -q -f qcow2 -u -b b$((N-1)).qcow2 -F qcow2 bN.qcow2 1M'
            """
        let made = try await ChildProcess.run(["/bin/sh", "-c", script, "sh", directory.path], timeout: .seconds(90))
        #expect(made.status == 0, "\(made)")
        let qemu = try QEMUProcess.launch(arguments: [
            "-machine", "none", "-drive", "file=\(directory.file("b600.qcow2")),if=none,id=d0",
        ])
        // QEMU opens all 601 images before it greets: give it time on a loaded machine.
        var configuration = QMPClient.Configuration()
        configuration.greetingTimeout = .seconds(60)
        let client = try await qemu.connect(configuration: configuration)
        let blocks = try await client.execute(QueryBlock(), timeout: .seconds(30))
        let drive = try #require(blocks.first { $0.device == "d0" })
        var depth = 0
        var image = drive.inserted?.image
        while let current = image {
            depth += 1
            image = current.backingImage
        }
        #expect(depth == 601)
        #expect(try await client.execute("query-status", timeout: .seconds(30))["status"] != nil)
        #expect(try await client.execute("query-version", timeout: .seconds(30))["qemu"] != nil)
        await client.close()
    }
}
