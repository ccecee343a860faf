#if canImport(Glibc)
import Glibc
#endif

/// The busybox test guest's folder (`scripts/setup.sh` builds it): `$QMPKIT_GUEST_DIR`, else
/// `~/.cache/qmpkit/guest`.
enum TestGuest {
    static var directory: String {
        (getenv("QMPKIT_GUEST_DIR").map { String(cString: $0) })
            ?? ((getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest")
    }
}
