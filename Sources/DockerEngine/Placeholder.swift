public enum DockerEnginePlaceholder {}
