namespace LlmRouting.Analysis;

/// <summary>High-stakes domains a request touches.</summary>
[Flags]
public enum RiskDomains
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Health, symptoms, medication, diagnosis.</summary>
    Medical = 1 << 0,

    /// <summary>Law, contracts, liability, compliance.</summary>
    Legal = 1 << 1,

    /// <summary>Money, tax, investments, credit.</summary>
    Financial = 1 << 2,
}
