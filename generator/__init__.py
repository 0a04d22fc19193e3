"""briefing: merge news articles into attributed topic briefings, published with Pelican."""
