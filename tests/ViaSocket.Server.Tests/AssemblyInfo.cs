using System.Runtime.Versioning;

// The embedded PostgreSQL and the pgpass file permissions these tests check exist on Unix only; CI runs Linux.
[assembly: SupportedOSPlatform("linux")]
