import Testing
import QMPWire

@Suite struct MessageTests {
    @Test func greetingRoundTrip() throws {
        let text = #"{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}"#
        let json = try JSON(parsing: text)
        let message = try QMPMessage(json.objectValue!)
        guard case .greeting(let greeting) = message else { Issue.record("not a greeting"); return }
        #expect(greeting.version == QEMUVersion(major: 7, minor: 2, micro: 22, package: "Debian 1:7.2+dfsg-7+deb12u18+b3"))
        #expect(greeting.version.description == "7.2.22")
        #expect(greeting.capabilities == ["oob"])
        #expect(message.json == json)
        #expect(QEMUVersion(major: 7, minor: 2, micro: 22) < QEMUVersion(major: 8, minor: 0, micro: 0))
    }

    @Test func returnRoundTrip() throws {
        let json = try JSON(parsing: #"{"return": {"status": "running"}, "id": 7}"#)
        let message = try QMPMessage(json.objectValue!)
        #expect(message == .success(id: 7, value: ["status": "running"]))
        #expect(message.json == json)
    }

    @Test func errorRoundTrip() throws {
        let json = try JSON(parsing: #"{"error": {"class": "DeviceNotFound", "desc": "Device 'x' not found"}}"#)
        let message = try QMPMessage(json.objectValue!)
        #expect(message == .failure(id: nil, error: QMPErrorBody(errorClass: "DeviceNotFound", description: "Device 'x' not found")))
        #expect(message.json == json)
    }

    @Test func eventRoundTrip() throws {
        let json = try JSON(parsing: #"{"timestamp": {"seconds": 1700000000, "microseconds": 5}, "event": "DEVICE_TRAY_MOVED", "data": {"device": "ide1-cd0", "tray-open": true, "id": "cdrom0"}}"#)
        let message = try QMPMessage(json.objectValue!)
        guard case .event(let event) = message else { Issue.record("not an event"); return }
        #expect(event.name == "DEVICE_TRAY_MOVED")
        #expect(event.data["tray-open"] == true)
        #expect(event.timestamp == QMPTimestamp(seconds: 1_700_000_000, microseconds: 5))
        #expect(event.timestamp.timeInterval == 1_700_000_000.000005)
        #expect(message.json == json)
    }

    @Test func eventWithoutDataGetsAnEmptyObject() throws {
        let message = try QMPMessage(["event": "STOP", "timestamp": ["seconds": 1, "microseconds": 0]])
        #expect(message == .event(QMPEventMessage(name: "STOP", data: [:], timestamp: QMPTimestamp(seconds: 1))))
    }

    @Test func tolerantErrorBody() throws {
        let message = try QMPMessage(["error": [:]])
        #expect(message == .failure(id: nil, error: QMPErrorBody(errorClass: "GenericError", description: "")))
    }

    @Test(arguments: [
        ["hello": 1] as JSONObject, ["error": "text"], ["event": 5],
    ])
    func rejectsOtherShapes(object: JSONObject) {
        #expect(throws: QMPProtocolError.self) { try QMPMessage(object) }
    }

    @Test func encodesRequests() throws {
        var bytes: [UInt8] = []
        QMPRequest.encode("query-status", into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"execute\":\"query-status\"}\n")
        bytes = []
        QMPRequest.encode("device_del", arguments: ["id": "vd1"], id: 3, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"vd1\"},\"id\":3}\n")
        bytes = []
        QMPRequest.encode("x-oob-test", arguments: [:], id: "a", outOfBand: true, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"exec-oob\":\"x-oob-test\",\"id\":\"a\"}\n")
    }
}

@Suite struct MonitorAddressTests {
    @Test(arguments: [
        ("/tmp/x.sock", MonitorAddress.unix(path: "/tmp/x.sock")), ("unix:/tmp/x.sock", .unix(path: "/tmp/x.sock")),
        ("relative.sock", .unix(path: "relative.sock")), ("tcp:localhost:4444", .tcp(host: "localhost", port: 4444)),
        ("tcp:[::1]:4444", .tcp(host: "::1", port: 4444)), ("fd:5", .fileDescriptor(5)),
    ])
    func parses(text: String, expected: MonitorAddress) throws {
        #expect(try MonitorAddress(parsing: text) == expected)
    }

    @Test(arguments: ["", "unix:", "tcp:host", "tcp:host:0", "tcp:host:99999", "fd:x", "serial:/dev/ttyS0"])
    func rejects(text: String) {
        #expect(throws: MonitorAddressError.self) { try MonitorAddress(parsing: text) }
    }

    @Test func describesTheAddress() {
        #expect(MonitorAddress.tcp(host: "::1", port: 1).description == "tcp:[::1]:1")
        #expect(MonitorAddress.unix(path: "/a").description == "unix:/a")
    }
}
