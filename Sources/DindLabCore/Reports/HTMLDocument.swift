/// The frame of dindlab's HTML pages (report.html, history.html): one file without scripts or
/// fetches, whose Content-Security-Policy tells the browser so too (nothing but inline style
/// may load), so it opens the same from a CI artifact, a mail attachment or a file share.
enum HTMLDocument {
    /// A whole page.
    /// - Parameters:
    ///   - title: The page title, already escaped.
    ///   - style: The stylesheet.
    ///   - body: The body's parts, already markup.
    static func page(title: String, style: String, body: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }
}
