extension SpecDecoder {
    /// `{"given": "y", "path": [...], "target": "theta", "batch_size": 1000}`.
    mutating func sampling(_ field: Field) -> SamplingDraft {
        var draft = SamplingDraft()
        guard let members = record(field, .sample) else { return draft }
        draft.given = members["given"].flatMap { string($0) }
        draft.path = members["path"].flatMap { strings($0) }
        draft.target = members["target"].flatMap { string($0) }
        if let field = members["batch_size"], let size = count(field) {
            draft.batchSize = size
        }
        return draft
    }
}
