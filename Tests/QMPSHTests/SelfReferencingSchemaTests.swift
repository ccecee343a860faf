import Testing
import QMPTestSupport
import QMPWire

/// Issue 20's reproducer, through the built `qmpsh`: a schema whose alternate and array contain themselves made
/// `qmpsh exec S boom x=1` and `qmpsh schema S boom` die of unbounded recursion. No QEMU has such a schema, so a
/// fake server serves it (announcing a version no QEMU has, so the schema cache keeps it apart from real ones).
@Suite(.timeLimit(.minutes(2))) struct SelfReferencingSchemaTests {
    let qmpsh = ChildProcess.productsDirectory + "/qmpsh"

    static let schema = #"""
        [{"name": "str", "meta-type": "builtin", "json-type": "string"},
         {"name": "boom", "meta-type": "command", "arg-type": "BoomArgs", "ret-type": "Loop"},
         {"name": "BoomArgs", "meta-type": "object", "members": [
           {"name": "x", "type": "Loop"}, {"name": "y", "type": "[Self]", "default": null}]},
         {"name": "Loop", "meta-type": "alternate", "members": [{"type": "Loop"}, {"type": "[Self]"}]},
         {"name": "[Self]", "meta-type": "array", "element-type": "[Self]"}]
        """#

    /// A fake QEMU "0.0.1" that serves the schema and answers `{}` to anything else, for one client.
    static func server() throws -> FakeQMPServer {
        try FakeQMPServer { peer in
            try peer.negotiate(greeting: [
                "QMP": ["version": ["qemu": ["major": 0, "minor": 0, "micro": 1], "package": "qmpkit boom test"],
                        "capabilities": []],
            ])
            while let request = try peer.receive() {
                if request["execute"] == "query-qmp-schema" {
                    try peer.reply(to: request, try JSON(parsing: schema))
                } else {
                    try peer.reply(to: request)
                }
            }
        }
    }

    @Test func execRefusesWithoutCrashing() async throws {
        let server = try Self.server()
        let result = try await ChildProcess.run([qmpsh, "exec", server.path, "boom", "x=1"])
        #expect(result.status == 2, "\(result)")
        #expect(result.standardError.hasPrefix("ValidationError: argument 'x' of boom must be"), "\(result)")
    }

    @Test func schemaPrintsWithoutCrashing() async throws {
        let server = try Self.server()
        let result = try await ChildProcess.run([qmpsh, "schema", server.path, "boom"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.hasPrefix("boom x:"), "\(result)")
    }
}
