"""Kits (product sets): defining, assembling and taking apart, the records of what a kit
holds, and the rule that a kit's parts go wherever the kit goes."""
