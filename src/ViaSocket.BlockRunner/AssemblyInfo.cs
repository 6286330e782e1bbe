// The runner confines itself with Linux interfaces (rlimits, setresuid, Landlock); silos start it only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
