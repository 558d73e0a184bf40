/// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast pseudo-random generator whose output
/// depends only on its seed, so a plan drawn from a seed is the same on every machine and every
/// Swift version.
///
/// Swift's own `shuffle(using:)` and `random(in:using:)` are not promised to consume a generator
/// the same way across releases, so the plan uses `next(below:)` and `shuffle(_:)` from here.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator.
    /// - Parameter seed: Any 64-bit value; the same seed gives the same sequence.
    package init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly distributed integer in `0..<bound`, without modulo bias (Lemire's method).
    /// - Parameter bound: The exclusive upper bound, at least 1.
    /// - Returns: A value from 0 to `bound - 1`.
    package mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "the bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles in place (Fisher–Yates, from the back), every order equally likely.
    /// - Parameter elements: The array to shuffle.
    package mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, next(below: index + 1))
        }
    }
}
