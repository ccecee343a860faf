#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `bytes` to `fd`, retrying after interrupts and short writes; `false` when the descriptor refuses
/// (closed pipe, full disk). Shared by the writers of transcripts, recordings, the schema cache and qmpsh's output.
@discardableResult
package func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}

/// Writes all of `text` (as UTF-8) to `fd`; see ``writeAll(_:_:)-(_,UnsafeRawBufferPointer)``.
@discardableResult
package func writeAll(_ fd: Int32, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
}
