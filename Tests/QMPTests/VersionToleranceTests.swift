import Testing
import QMP
import QMPWire

/// Replies shaped as older QEMUs send them (members added later are absent, renamed ones have their old name):
/// the typed replies must decode them. Each case is a measured defect of issue 18.
@Suite struct VersionToleranceTests {
    private func decode<T: Decodable>(_: T.Type, _ text: String) throws -> T {
        try JSONValueDecoder().decode(T.self, from: try JSON(parsing: text))
    }

    /// QEMU before 4.2 sends no `deprecated`, before 4.1 no `numa-mem-supported`; 2.5 no `hotpluggable-cpus`.
    @Test func machinesBeforeQEMU42() throws {
        let machines = try decode([MachineInfo].self, #"""
            [{"name":"pc-i440fx-2.12","is-default":true,"cpu-max":255,"hotpluggable-cpus":true,"alias":"pc"},
             {"name":"pc-i440fx-2.5","cpu-max":255}]
            """#)
        #expect(machines.count == 2)
        #expect(machines[0].alias == "pc")
        #expect(machines[0].hotpluggableCPUs == true)
        #expect(machines[0].deprecated == nil)
        #expect(machines[0].numaMemSupported == nil)
        #expect(machines[1].hotpluggableCPUs == nil)
        #expect(machines[1].isDefault == nil)
    }

    /// QEMU 2.12's `query-cpus-fast` sent `arch`; `target` came in 3.0.
    @Test func cpusFastOfQEMU212() throws {
        let cpus = try decode([CPUInfoFast].self, #"""
            [{"arch":"x86","cpu-index":0,"qom-path":"/machine/unattached/device[0]","thread-id":4242,
              "props":{"core-id":0,"thread-id":0,"socket-id":0}}]
            """#)
        #expect(cpus.count == 1)
        #expect(cpus[0].arch == "x86")
        #expect(cpus[0].target == nil)
        #expect(cpus[0].threadID == 4242)
    }

    /// `irq_pin` came in QEMU 5.1.
    @Test func pciDeviceBeforeQEMU51() throws {
        let buses = try decode([PCIInfo].self, #"""
            [{"bus":0,"devices":[{"bus":0,"slot":0,"function":0,"class_info":{"class":1536,"desc":"Host bridge"},
              "id":{"device":4663,"vendor":32902},"qdev_id":"","regions":[]}]}]
            """#)
        #expect(buses[0].devices.count == 1)
        #expect(buses[0].devices[0].irqPin == nil)
        #expect(buses[0].devices[0].id.vendor == 32902)
    }

    /// QEMU before 6.0 takes the object's members in `props`.
    @Test func objectAddFormPerVersion() throws {
        let ram = ObjectAdd.memoryBackendRAM(id: "mem1", size: 268_435_456)
        let old = QEMUVersion(major: 5, minor: 2, micro: 0)
        let new = QEMUVersion(major: 6, minor: 0, micro: 0)
        #expect(JSON.object(ram.arguments(for: old))
            == (try JSON(parsing: #"{"qom-type":"memory-backend-ram","id":"mem1","props":{"size":268435456}}"#)))
        #expect(JSON.object(ram.arguments(for: new))
            == (try JSON(parsing: #"{"qom-type":"memory-backend-ram","id":"mem1","size":268435456}"#)))
        // The flat form is what Encodable writes, so both paths agree on new QEMUs.
        #expect(try JSONValueEncoder().encode(ram) == JSON.object(ram.arguments(for: new)))
        // No members: no `props` object at all.
        #expect(JSON.object(ObjectAdd.iothread(id: "io1").arguments(for: old))
            == (try JSON(parsing: #"{"qom-type":"iothread","id":"io1"}"#)))
    }
}
