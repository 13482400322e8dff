"""jiceng (基层): Party-building-led governance of a city district's grassroots."""

__version__ = "0.1.0"
