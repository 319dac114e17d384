"""Config-driven Scrapy spiders, the crawl runner, the scheduler and the CLI.

``crawlers`` sits at the top of the dependency graph: it imports ``obligations``;
nothing imports it.
"""
