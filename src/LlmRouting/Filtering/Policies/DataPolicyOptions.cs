using LlmRouting.Analysis;

namespace LlmRouting.Filtering;

/// <summary>Which requests count as sensitive and which targets may serve them.</summary>
public sealed class DataPolicyOptions
{
    /// <summary>Gets the target tags that allow sensitive data (a target needs at least one), e.g. <c>on-prem</c>.</summary>
    public IList<string> AllowedTargetTags { get; } = [];

    /// <summary>Gets the request tags that mark a request as sensitive.</summary>
    /// <value>The default is <c>sensitive</c>.</value>
    public IList<string> SensitiveRequestTags { get; } = ["sensitive"];

    /// <summary>Gets or sets the kinds of personal data that make a request sensitive.</summary>
    /// <value>The default is every kind.</value>
    public PiiKinds PiiKinds { get; set; } = PiiKinds.Email | PiiKinds.Phone | PiiKinds.CreditCard | PiiKinds.Iban | PiiKinds.NationalId | PiiKinds.IpAddress;

    /// <summary>Gets or sets high-stakes domains that also make a request sensitive (e.g. <see cref="RiskDomains.Medical"/>).</summary>
    /// <value>The default is <see cref="RiskDomains.None"/>.</value>
    public RiskDomains Domains { get; set; }

    /// <summary>Gets or sets a value indicating whether a request with content the analyzer could not read (a tool value nested deeper than 64 levels, beyond 200 000 values, or not serializable) counts as sensitive.</summary>
    /// <value>The default is <see langword="true"/>: fail closed.</value>
    public bool UnreadContentIsSensitive { get; set; } = true;
}
