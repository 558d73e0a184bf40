import DindLabCore
import DockerEngine
import Foundation

extension Runner {
    /// The outer images the units use, once per engine and image, with what their labels say
    /// (for the manifest). An image that cannot be inspected is left out: its cells were
    /// skipped or will fail with their own error.
    static func outerImages(of units: [Unit], engines: [TrialEngine], facts: [OuterImageFacts]) async -> [RunManifest
        .OuterImage]
    {
        var seen = Set<String>()
        var images: [RunManifest.OuterImage] = []
        for unit in units {
            guard let image = unit.trials.first?.cell.scenario.outer.image else { continue }
            let engine = engines[unit.engineIndex]
            guard seen.insert("\(engine.name)\u{0}\(image)").inserted,
                let inspect = try? await facts[unit.engineIndex].inspect(image, on: engine.client)
            else { continue }
            images.append(
                RunManifest.OuterImage(
                    engine: engine.name, image: image, imageID: inspect.id,
                    labels: OuterImageLabels(labels: inspect.labels)))
        }
        return images
    }
}
