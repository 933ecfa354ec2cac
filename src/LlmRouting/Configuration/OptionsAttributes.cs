using System.ComponentModel.DataAnnotations;

namespace LlmRouting.Configuration;

/// <summary>The value must be greater than zero (a <see cref="TimeSpan"/> or a number); <see langword="null"/> passes (an optional limit that is off).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PositiveAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan span => span > TimeSpan.Zero,
        int i => i > 0,
        long l => l > 0,
        double d => d > 0,
        decimal m => m > 0,
        _ => false,
    };
}

/// <summary>The value must be zero or more (a <see cref="TimeSpan"/> or a number); <see langword="null"/> passes.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotNegativeAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan span => span >= TimeSpan.Zero,
        int i => i >= 0,
        long l => l >= 0,
        double d => d >= 0,
        decimal m => m >= 0,
        _ => false,
    };
}

/// <summary>The string must have text (not <see langword="null"/>, empty or white space).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotBlankAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is string s && !string.IsNullOrWhiteSpace(s);
}
