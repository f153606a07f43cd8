"""codeback: back-translate a repository into grounded instruction-tuning data."""

__version__ = "0.1.0"
