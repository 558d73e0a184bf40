import Foundation

/// Serves one connection: requests one after another (keep-alive) until the client closes,
/// a response closes it (hijack, fault, `Connection: close`), or the server stops.
struct ConnectionHandler {
    let connection: SocketConnection
    let state: EngineState
    let persona: DaemonPersona

    func run() {
        do {
            while !state.isStopping {
                guard let head = try connection.readHead() else { return }
                let request: HTTPRequest
                let framing: HTTPRequest.BodyFraming
                do {
                    request = try HTTPRequest(head: head)
                    framing = try request.bodyFraming()
                } catch {
                    try? connection.send(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
                    )
                    return
                }
                guard try serve(request, framing: framing) else { return }
            }
        } catch {
            // The client went away, a fault cut the connection, or the server is stopping.
        }
    }

    /// - Returns: whether the connection stays open for another request.
    private func serve(_ request: HTTPRequest, framing: HTTPRequest.BodyFraming) throws -> Bool {
        let body = RequestBody(
            connection: connection, framing: framing, expectsContinue: request.expectsContinue,
            onFinished: { [state, connection] kept, length in
                let recorded = RecordedRequest(
                    method: request.method, path: request.target, headers: request.headers,
                    body: kept, bodyLength: length, connectionID: connection.id)
                state.access { $0.requests.append(recorded) }
            })
        let fault = state.access { $0.faults.take(for: request.target) }
        if fault == .hang {
            try body.drain(sendContinue: false)
            holdUntilStopped()
            return false
        }
        let response = ResponseWriter(
            connection: connection, requestBody: body, isHeadRequest: request.method == "HEAD",
            keepAlive: request.wantsKeepAlive, commonHeaders: persona.commonHeaders, fault: fault,
            pause: { [state] seconds in state.pause(seconds) })
        try Router.handle(
            request: request, body: body, response: response, connection: connection,
            state: state, persona: persona, fault: fault)
        if response.closesConnection { return false }
        try body.drain()
        return true
    }

    /// A hung request: answer nothing until the server stops or the client hangs up.
    private func holdUntilStopped() {
        while !state.isStopping {
            if connection.peerHasClosed(waitingUpTo: 50) { return }
        }
    }
}
