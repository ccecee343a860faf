/// A box that lets a value type hold a value of its own type (an image's backing image).
enum Indirect<Wrapped> {
    indirect case value(Wrapped)

    init(_ value: Wrapped) { self = .value(value) }

    var wrapped: Wrapped {
        switch self {
        case .value(let value): return value
        }
    }
}

extension Indirect: Sendable where Wrapped: Sendable {}
extension Indirect: Equatable where Wrapped: Equatable {}
extension Indirect: Hashable where Wrapped: Hashable {}

extension Indirect: Codable where Wrapped: Codable {
    init(from decoder: any Decoder) throws {
        self = .value(try Wrapped(from: decoder))
    }

    func encode(to encoder: any Encoder) throws {
        try wrapped.encode(to: encoder)
    }
}
