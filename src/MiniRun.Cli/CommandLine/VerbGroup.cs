namespace MiniRun.Cli.CommandLine;

/// <summary>Where `minirun --help` lists a verb, as Docker groups its commands.</summary>
public enum VerbGroup
{
    /// <summary>"Commands:", alphabetically: the rest of Docker's verbs.</summary>
    Other,
    /// <summary>"Common Commands:" (run, exec, ps, pull, images …), in the order of the verb list.</summary>
    Common,
    /// <summary>"Management Commands:" (system, volume …): a verb whose first argument is a subcommand.</summary>
    Management,
    /// <summary>"MiniRun Commands:": minirun's own, which Docker has not (doctor, mount, layers …).</summary>
    MiniRun,
    /// <summary>Not listed (help): still a verb, still completed.</summary>
    Hidden,
}
