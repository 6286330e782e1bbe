// The cluster script, kill -9 and the POSIX signal handling this harness relies on are Linux-only here.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
