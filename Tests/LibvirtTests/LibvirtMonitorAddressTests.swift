import Testing
import QMPLibvirt

/// The two monitor forms, and the one-line errors for the wrong ones (no libvirt needed).
struct LibvirtMonitorAddressTests {
    @Test func localForm() throws {
        let address = try LibvirtMonitorAddress(parsing: "libvirt:web1")
        #expect(address.uri == "qemu:///system")
        #expect(address.domain == "web1")
        #expect(address.isLocal)
        #expect(address.description == "libvirt:web1")
    }

    @Test(arguments: [
        ("libvirt+qemu+ssh://host/system#web1", "qemu+ssh://host/system", "web1", false),
        ("libvirt+qemu+tls://10.0.0.7/system#db", "qemu+tls://10.0.0.7/system", "db", false),
        ("libvirt+qemu:///session#dev", "qemu:///session", "dev", true),
        ("libvirt+qemu+unix:///system?socket=/tmp/s#a#b", "qemu+unix:///system?socket=/tmp/s#a", "b", true),
    ])
    func uriForm(text: String, uri: String, domain: String, local: Bool) throws {
        let address = try LibvirtMonitorAddress(parsing: text)
        #expect(address.uri == uri)
        #expect(address.domain == domain)
        #expect(address.isLocal == local)
        #expect(try LibvirtMonitorAddress(parsing: address.description) == address)
    }

    @Test(arguments: [
        ("libvirt:", "names no domain"),
        ("libvirt+qemu+ssh://host/system", "no '#DOMAIN'"),
        ("libvirt+qemu+ssh://host/system#", "names no domain"),
        ("libvirt+web1#x", "is not a libvirt URI"),
        ("libvirt:qemu:///system#web1", "libvirt+URI#DOMAIN"),
        ("/tmp/qmp.sock", "is not a libvirt monitor"),
    ])
    func badForms(text: String, expected: String) {
        #expect {
            try LibvirtMonitorAddress(parsing: text)
        } throws: { error in
            guard let error = error as? LibvirtError else { return false }
            return error.code == .invalidAddress && error.message.contains(expected) && !error.message.contains("\n")
        }
    }
}
