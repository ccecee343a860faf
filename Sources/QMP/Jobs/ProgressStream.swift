/// A stream fed by `produce` in a task that the stream owns: ending the iteration (or dropping the stream)
/// cancels it; `produce` returning ends the stream, its error ends it with that error.
func progressStream<Element: Sendable>(
    _ produce: @escaping @Sendable (_ yield: (Element) -> Void) async throws -> Void
) -> AsyncThrowingStream<Element, any Error> {
    AsyncThrowingStream { continuation in
        let task = Task {
            do {
                try await produce { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
    }
}
