import QMPWire

extension ClientCore {
    /// Writes queued requests while the socket takes them; called by whoever took the writer role (a caller that
    /// found the queue idle, or the I/O thread once the socket is writable). Never blocks and never holds the lock
    /// across the system call: when the socket is full it hands the queue to the I/O thread and returns.
    func flushWrites() {
        while true {
            let next = state.withLock { state -> OutgoingRequest? in
                guard let head = state.writeQueue.first else {
                    state.writing = false
                    return nil
                }
                head.started = true
                head.pending?.request = nil
                return head
            }
            guard let request = next else { return }
            var offset = request.offset
            let failure = request.bytes.withUnsafeBytes { raw -> QMPConnectionError? in
                while offset < raw.count {
                    do throws(QMPConnectionError) {
                        let written = try connection.sendAvailable(
                            UnsafeRawBufferPointer(rebasing: raw[offset...]),
                            fileDescriptors: offset == 0 ? request.fileDescriptors : [])
                        if written == 0 { return nil }
                        offset += written
                    } catch {
                        return error
                    }
                }
                return nil
            }
            if let failure {
                state.withLock { $0.writing = false }
                connectionLost(failure)
                connection.shutdown()
                return
            }
            request.offset = offset
            let full = offset < request.bytes.count
            state.withLock { state in
                if full {
                    state.writing = false
                    state.wantsWritable = true
                } else if state.writeQueue.first === request {
                    // (Not there when the connection was lost meanwhile: `connectionLost` emptied the queue.)
                    _ = state.writeQueue.popFirst()
                    state.queuedBytes -= request.bytes.count
                }
            }
            if full {
                // The I/O thread polls for writability from now on (and is woken if it sleeps without doing so).
                executor.wake()
                return
            }
        }
    }

    /// Whether the I/O thread should wait for the socket to become writable.
    var wantsWritable: Bool { state.withLock { $0.wantsWritable } }

    /// Called by the I/O thread when the socket has become writable: takes the writer role and flushes.
    func socketWritable() {
        let write = state.withLock { state -> Bool in
            state.wantsWritable = false
            guard !state.writing, !state.writeQueue.isEmpty, state.closedError == nil else { return false }
            state.writing = true
            return true
        }
        if write { flushWrites() }
    }
}
