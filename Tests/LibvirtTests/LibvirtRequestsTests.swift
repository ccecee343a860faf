import Testing
@testable import QMPLibvirt
import QMPWire

/// The libvirt transport's request logic, without libvirt: negotiation it answers itself, ids it strips and puts
/// back, what it refuses, and the shape of events.
struct LibvirtRequestsTests {
    @Test func negotiationIsAnsweredLocally() {
        var state = LibvirtRequests()
        #expect(state.handle(["execute": "query-status"]) == .reply(
            ["error": ["class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"]]))
        #expect(state.handle(["execute": "qmp_capabilities", "id": 1]) == .reply(["return": .object([:]), "id": 1]))
        #expect(state.negotiated)
        #expect(state.handle(["execute": "qmp_capabilities"]) == .reply(
            ["error": ["class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"]]))
    }

    @Test func commandsAreForwardedWithoutTheirID() {
        var state = LibvirtRequests()
        _ = state.handle(["execute": "qmp_capabilities"])
        let request: JSONObject = ["execute": "device_del", "arguments": ["id": "vd1"], "id": ["any": "json"]]
        #expect(state.handle(request) == .forward(command: ["execute": "device_del", "arguments": ["id": "vd1"]], id: ["any": "json"]))
        #expect(state.handle(["execute": "query-name"]) == .forward(command: ["execute": "query-name"], id: nil))
    }

    @Test func repliesCarryTheClientsIDNotLibvirts() {
        let answer: JSONObject = ["return": ["name": "web1"], "id": "libvirt-412"]
        #expect(LibvirtRequests.reply(to: answer, id: "mine") == ["return": ["name": "web1"], "id": "mine"])
        #expect(LibvirtRequests.reply(to: answer, id: nil) == ["return": ["name": "web1"]])
        let error: JSONObject = ["id": "libvirt-417", "error": ["class": "CommandNotFound", "desc": "The command nope has not been found"]]
        #expect(LibvirtRequests.reply(to: error, id: 7) == ["error": ["class": "CommandNotFound", "desc": "The command nope has not been found"], "id": 7])
    }

    @Test func refusedInput() {
        var state = LibvirtRequests()
        _ = state.handle(["execute": "qmp_capabilities"])
        guard case .reply(let oob) = state.handle(["exec-oob": "migrate-pause", "id": "x"]) else {
            Issue.record("exec-oob was forwarded")
            return
        }
        #expect(oob["error"]?["desc"]?.stringValue?.contains("out-of-band") == true)
        #expect(oob["id"] == "x")
        guard case .reply(let missing) = state.handle(["arguments": [:]]) else {
            Issue.record("a request without execute was forwarded")
            return
        }
        #expect(missing["error"]?["class"] == "GenericError")
        #expect(LibvirtRequests.parseError("not a JSON object")["id"] == nil)
        #expect(oob["error"]?["class"] == "GenericError")
    }

    @Test func greetingAndEvents() throws {
        #expect(LibvirtRequests(negotiated: true).negotiated)
        let event = LibvirtRequests.event(
            name: "DEVICE_DELETED", seconds: 1_700_000_000, microseconds: 42, details: #"{"device":"vd1","path":"/machine/peripheral/vd1"}"#
        ) { (0, 0) }
        #expect(event == [
            "event": "DEVICE_DELETED", "data": ["device": "vd1", "path": "/machine/peripheral/vd1"],
            "timestamp": ["seconds": 1_700_000_000, "microseconds": 42],
        ])
        // STOP has no data; libvirt without a timestamp gives -1 seconds: the transport stamps it now.
        let stop = LibvirtRequests.event(name: "STOP", seconds: -1, microseconds: 0, details: nil) { (5, 6) }
        #expect(stop == ["event": "STOP", "timestamp": ["seconds": 5, "microseconds": 6]])
        // The shape a QMP client decodes.
        let message = try QMPMessage(stop)
        guard case .event(let decoded) = message else {
            Issue.record("not decoded as an event: \(message)")
            return
        }
        #expect(decoded.name == "STOP")
    }
}
