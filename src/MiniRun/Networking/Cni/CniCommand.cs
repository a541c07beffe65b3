namespace MiniRun.Networking.Cni;

/// <summary>The CNI_COMMAND verbs a runtime sends (CNI SPEC.md, "Parameters").</summary>
public enum CniCommand { Add, Del, Check }
