// libFuzzer harness for the two stream framers (JSONStreamFramer, HMPStreamFramer). Not a package target: built by
// scripts/fuzz-libfuzzer.sh together with the framers' sources, with `swiftc -sanitize=fuzzer`.
//
// The first input byte picks the chunk size (1–64 bytes), the rest is the stream. Invariants are checked with
// `precondition`, so a violation is a crash that libFuzzer reports and saves as a reproducer:
// - the JSON framer returns at most one item per input byte and, given the same bytes in one piece, the same items;
// - the HMP framer returns at most one item per 7 input bytes (each ends with the 7-byte prompt).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramers(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: count)
    guard let first = input.first else { return 0 }
    let chunkSize = Int(first % 64) + 1
    let stream = Array(input.dropFirst())

    func frameJSON(chunk: Int) -> ([JSONStreamFramer.Item], Bool) {
        var framer = JSONStreamFramer(maximumMessageSize: 4096)
        var items: [JSONStreamFramer.Item] = []
        var offset = 0
        while offset < stream.count {
            let end = min(stream.count, offset + chunk)
            framer.append(stream[offset..<end])
            offset = end
            do {
                while let item = try framer.next() {
                    items.append(item)
                    precondition(items.count <= stream.count, "more items than bytes")
                }
            } catch {
                return (items, true)
            }
        }
        return (items, false)
    }
    let (chunked, chunkedTooLarge) = frameJSON(chunk: chunkSize)
    let (whole, wholeTooLarge) = frameJSON(chunk: max(1, stream.count))
    precondition(chunkedTooLarge == wholeTooLarge, "the size limit depends on the chunking")
    if !chunkedTooLarge { precondition(chunked == whole, "items depend on the chunking") }

    var hmp = HMPStreamFramer()
    var replies = 0
    var offset = 0
    while offset < stream.count {
        let end = min(stream.count, offset + chunkSize)
        hmp.append(stream[offset..<end])
        offset = end
        while hmp.next() != nil { replies += 1 }
    }
    precondition(replies <= stream.count / 7 + 1, "more HMP replies than prompts")
    return 0
}
