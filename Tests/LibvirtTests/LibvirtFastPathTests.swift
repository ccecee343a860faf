import Testing
@testable import QMPLibvirt
import QMP
import QMPWire

/// The libvirt transport's hot path: a request in the client's own encoding goes to libvirt as written (less its
/// `id`) with no parse, and only the `return` or `error` value of libvirt's reply is parsed. Each case is checked
/// against the full path (`LibvirtRequests.handle` after a parse, `reply(to:id:)`), which everything else still takes.
struct LibvirtFastPathTests {
    /// The forwarded text without its NUL, and the id; `nil` when the request takes the full path.
    static func forwarded(_ request: String, negotiated: Bool = true) -> (text: String, id: JSON?)? {
        let requests = LibvirtRequests(negotiated: negotiated)
        var text: [UInt8] = [0x7F]  // stale content the call must replace
        let bytes = Array(request.utf8)
        guard let forward = bytes.withUnsafeBytes({ requests.forwardable($0, into: &text) }) else { return nil }
        guard text.last == 0 else {
            Issue.record("the command text for libvirt is not NUL-terminated")
            return nil
        }
        return (String(decoding: text.dropLast(), as: UTF8.self), forward.id)
    }

    @Test func theClientsEncodingsForwardAsTheFullPathWould() throws {
        var requests = LibvirtRequests(negotiated: true)
        let cases: [(String, JSON?, JSON?)] = [
            ("query-status", nil, nil),
            ("device_del", ["id": "vd1"], nil),
            ("device_del", ["id": "vd1"], 7),
            ("query-name", nil, ["any": ["json", 1, nil]]),
            ("human-monitor-command", ["command-line": "echo \"a}\\\" {b\" [x]"], "s-1"),
            ("qom-set", ["path": "/machine", "property": "x", "value": [1.5, -2, true, ["k": [:]]]], 18_446_744),
        ]
        for (name, arguments, id) in cases {
            var bytes: [UInt8] = []
            QMPRequest.encode(name, arguments: arguments, id: id, into: &bytes)
            let wire = String(decoding: bytes, as: UTF8.self)
            let fast = try #require(Self.forwarded(wire), "\(wire) took the full path")
            let full = requests.handle(try #require(JSON(parsing: bytes).objectValue))
            guard case .forward(let command, let fullID) = full else {
                Issue.record("the full path did not forward \(wire)")
                continue
            }
            #expect(try JSON(parsing: fast.text) == .object(command), "\(wire)")
            #expect(fast.id == fullID, "\(wire)")
            #expect(!fast.text.hasSuffix("\n"))
        }
        // Members in another order, white space, and an `id` first are still the client's shape.
        let spaced = try #require(Self.forwarded(#" { "id" : "a" , "arguments" : { "id" : 1 } , "execute" : "x" } "#))
        #expect(try JSON(parsing: spaced.text) == ["execute": "x", "arguments": ["id": 1]])
        #expect(spaced.id == "a")
    }

    @Test func everythingElseTakesTheFullPath() {
        let full = [
            #"{"exec-oob":"migrate-pause","id":"x"}"#,  // refused with an error reply by `handle`
            #"{"execute":"qmp_capabilities"}"#,  // answered locally by `handle`
            #"{"execute":"x","control":{}}"#,  // a member the client never sends
            #"{"execute":"x","\u0069d":1}"#,  // a key with an escape
            #"{"execute":"x","id":1,"id":2}"#,  // a repeated member
            #"{"execute":"q\u0075it"}"#,  // a name with an escape
            #"{"execute":5}"#,
            #"{"arguments":{}}"#,
            #"{"execute":"x","id":nope}"#,  // an id that does not parse
            #"{"execute":"x","arguments":{"a":"}"#,  // unterminated
            #"{"execute":"x"} {}"#,
            #"["execute","x"]"#,
            "",
        ]
        for request in full {
            #expect(Self.forwarded(request) == nil, "\(request) was forwarded without a parse")
        }
        #expect(Self.forwarded(#"{"execute":"query-status"}"#, negotiated: false) == nil)
    }

    @Test func libvirtsRepliesReachTheClientAsTheFullPathMakesThem() throws {
        let replies = [
            #"{"return":{"status":"paused","singlestep":false,"running":false},"id":"libvirt-412"}"#,
            #"{"id":"libvirt-417","error":{"class":"CommandNotFound","desc":"The command nope has not been found"}}"#,
            #"{"return":{}}"#,
            #"{"return":[1,"a\"}",{"b":null}],"id":"libvirt-1"}"#,
            #"{"return":"a\",\"id\":\"b","id":"libvirt-9"}"#,  // the id's text inside the answer
            #"{"error":{"class":"GenericError","desc":"x"},"id":"libvirt-8"}"#,
            // Not libvirt's usual shape: parsed whole, as before.
            #"{"return": [1, "a\"}", {"b": null}] , "id": "libvirt-1"}"#,
            #"{"return":1,"id":"a","id":"b"}"#,
            #"{"return":1,"id":"libvirt-2","extra":true}"#,
            #"{"id":"libvirt-3"}"#,
        ]
        for reply in replies {
            let bytes = Array(reply.utf8)
            let object = try #require(JSON(parsing: bytes).objectValue)
            for id: JSON? in [nil, "mine", 7] {
                let item = bytes.withUnsafeBytes { LibvirtRequests.reply(parsing: $0, id: id) }
                #expect(item == .object(LibvirtRequests.reply(to: object, id: id)), "\(reply) with id \(String(describing: id))")
            }
        }
    }

    @Test func libvirtsTwoShapesAreFoundAtTheEnds() {
        func value(_ reply: String) -> String? {
            Array(reply.utf8).withUnsafeBytes { bytes in
                LibvirtRequests.answerValue(in: bytes).map { "\($0.key) " + String(decoding: bytes[$0.value], as: UTF8.self) }
            }
        }
        #expect(value(#"{"return":{"status":"paused"},"id":"libvirt-412"}"#) == #"return {"status":"paused"}"#)
        #expect(value(#"{"id":"libvirt-417","error":{"class":"CommandNotFound"}}"#) == #"error {"class":"CommandNotFound"}"#)
        #expect(value(#"{"id":"","return":1}"#) == "return 1")
        #expect(value(#"{"error":2,"id":""}"#) == "error 2")
        // Ranges whose text the parse then refuses (so the full parse decides), and shapes it leaves alone.
        #expect(value(#"{"return":1,"id":"a","id":"b"}"#) == #"return 1,"id":"a""#)
        for other in [#"{"return":{}}"#, #"{"id":"a\"b","return":1}"#, #"{"return":1,"id":"a\"}"#, #"{"x":1,"id":"a"}"#,
                      #"{"return":,"id":"a"}"#, #" {"return":1,"id":"a"}"#, "{}", ""] {
            #expect(value(other) == nil, "\(other)")
        }
    }

    @Test func aReplyThatCannotBeUsedEndsItsCallWithAReason() {
        for (reply, reason) in [
            (#"{"return":{"status":"paused"},"id":"libvirt-5""#, "cannot be used"),
            (#"{"return":nope,"id":"libvirt-6"}"#, "cannot be used"),
            (#"{"return":1,"id":"a\"}"#, "cannot be used"),
            (#"[1,2]"#, "not a JSON object"),
        ] {
            let item = Array(reply.utf8).withUnsafeBytes { LibvirtRequests.reply(parsing: $0, id: 9) }
            guard case .malformed(let input) = item else {
                Issue.record("\(reply) gave \(item)")
                continue
            }
            #expect(input.id == 9)
            #expect(input.reason.contains(reason), "\(input.reason)")
        }
    }

    @Test func theScannerFollowsStringsAndNesting() {
        let text = Array(#"{"a":"x\"}]{","b":[{"c":"]"},[]],"c":-1.5e3,"d":{}}"#.utf8)
        var members: [(String, String)] = []
        text.withUnsafeBytes { bytes in
            var scanner = JSONMemberScanner(bytes)
            while let member = scanner.next() {
                members.append((String(decoding: bytes[member.key], as: UTF8.self), String(decoding: bytes[member.value], as: UTF8.self)))
            }
            #expect(scanner.finished && !scanner.failed)
        }
        #expect(members.map(\.0) == ["a", "b", "c", "d"])
        #expect(members.map(\.1) == [#""x\"}]{""#, #"[{"c":"]"},[]]"#, "-1.5e3", "{}"])
        for broken in [#"{"a":1"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":"#, #"{"a":[1}"#, #"{a:1}"#] {
            Array(broken.utf8).withUnsafeBytes { bytes in
                var scanner = JSONMemberScanner(bytes)
                while scanner.next() != nil {}
                #expect(!scanner.finished, "\(broken)")
            }
        }
    }
}

/// The same paths against a real libvirt, on a paused domain: ids, arguments and strings with JSON's special
/// characters reach QEMU and come back intact, and what the hot path does not take still answers as before.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LibvirtFastPathOnLibvirtTests {
    @Test func idsArgumentsAndDescriptorsThroughLibvirt() async throws {
        try await PausedDomain.with("fast") { domain in
            let client = try await LibvirtMonitor.connect(domain.monitor)
            do {
                // The caller's own id, any JSON, is what the reply carries (the client matches by it).
                let named = try await client.execute("query-name", id: ["any": ["json", 1]])
                #expect(named.objectValue != nil)
                // Arguments with an inner "id", and a string full of JSON's special characters, reach QEMU as sent:
                // its error quotes the string back.
                let strange = #"no"such}{dev]\[,"#
                await #expect {
                    _ = try await client.execute("device_del", arguments: ["id": .string(strange)], id: "d-1")
                } throws: { error in
                    guard let error = error as? QMPError else { return false }
                    return error.errorClass == .deviceNotFound && error.message.contains(strange)
                }
                // File descriptors cannot pass through libvirt: that call fails, the next one works.
                await #expect {
                    _ = try await client.execute("getfd", arguments: ["fdname": "f"], fileDescriptors: [0])
                } throws: { error in
                    (error as? QMPError)?.message.contains("file descriptors cannot be passed") == true
                }
                #expect(try await client.execute("query-status")["status"] == "prelaunch")
                // A repeated command reuses its command text; another command in between gets its own.
                for _ in 0..<3 {
                    #expect(try await client.execute("query-status")["status"] == "prelaunch")
                    #expect(try await client.execute("query-status")["status"] == "prelaunch")
                    #expect(try await client.execute("query-version")["qemu"] != nil)
                }
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }
}
