import QMP
import QMPWire
import Testing

/// The client reuses the wire form of the last command sent with no arguments and no id (polling loops repeat one):
/// every request must still carry exactly its own name, arguments and id.
struct RequestBytesTests {
    @Test func repeatedAndInterleavedCommandsEachSendTheirOwnRequest() async throws {
        let transport = MemoryTransport(greeting: ["version": ["qemu": ["major": 9, "minor": 1, "micro": 0]], "capabilities": []]) { _ in
            ["return": [:]]
        }
        let client = try await QMPClient.connect(using: transport)
        let calls: [(String, JSON?, JSON?)] = [
            ("query-status", nil, nil), ("query-status", nil, nil), ("query-name", nil, nil),
            ("query-status", ["x": 1], nil), ("query-status", nil, 7), ("query-status", nil, nil), ("query-name", nil, nil),
        ]
        for (name, arguments, id) in calls { _ = try await client.execute(name, arguments: arguments, id: id) }
        #expect(transport.sent == [
            #"{"execute":"query-status"}"# + "\n", #"{"execute":"query-status"}"# + "\n",
            #"{"execute":"query-name"}"# + "\n", #"{"execute":"query-status","arguments":{"x":1}}"# + "\n",
            #"{"execute":"query-status","id":7}"# + "\n", #"{"execute":"query-status"}"# + "\n",
            #"{"execute":"query-name"}"# + "\n",
        ])
        await client.close()
    }
}
