using System.ComponentModel.DataAnnotations;
using LlmRouting.Configuration;

namespace LlmRouting.Resilience;

/// <summary>
/// Opt-in mid-stream continuation: when a plain-text stream breaks or stalls after output reached the caller, the
/// request is re-issued to the next target with the partial answer as an assistant prefix and a continue
/// instruction, and its output is streamed on seamlessly (<see cref="RouteInfo.IsSpliced"/>).
/// </summary>
/// <remarks>
/// Never continues once a function call or any non-text content has been streamed; then
/// <see cref="StreamInterruptedException"/> surfaces with what was streamed and the route so far.
/// </remarks>
public sealed class StreamContinuationOptions
{
    /// <summary>The default instruction appended as a user message after the partial answer.</summary>
    public const string DefaultInstruction =
        "Your previous answer was cut off. Continue it exactly where it stopped, without repeating anything already written and without any preamble.";

    /// <summary>Gets or sets a value indicating whether broken or stalled text streams are continued on the next target.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets how long a stream that has started may take to send its next update, counted from when the router asks for it, before it counts as stalled; <see langword="null"/> for no limit.</summary>
    /// <remarks>The time the caller takes with an update is not counted: a slow reader never makes a healthy stream look stalled.</remarks>
    /// <value>The default is 30 seconds.</value>
    [Positive]
    public TimeSpan? IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the most continuations (splices) one stream may have.</summary>
    /// <value>The default is 1.</value>
    [Range(1, int.MaxValue)]
    public int MaxContinuations { get; set; } = 1;

    /// <summary>Gets or sets the instruction sent after the partial answer.</summary>
    /// <value>The default is <see cref="DefaultInstruction"/>.</value>
    [NotBlank]
    public string Instruction { get; set; } = DefaultInstruction;
}
