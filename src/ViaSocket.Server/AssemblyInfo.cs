using System.Runtime.Versioning;

// The service runs on Linux: the embedded PostgreSQL and the private state files use Unix users and file modes.
[assembly: SupportedOSPlatform("linux")]
