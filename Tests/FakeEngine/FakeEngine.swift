// Placeholder; the fake engine lands with its own change.
public enum FakeEnginePlaceholder {}
