"""Checks on sources and on the built site: links, glossary spelling, numbers typed by hand, what reaches the
reader unrendered, review dates."""
