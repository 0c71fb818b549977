"""Real servers and fixture data on loopback, shared by the tests and the benchmarks: the bot on
spare ports (rasa_bot), a fixture web site for the crawler (fixture_site, crawl_fixtures,
pdf_fixture) and a WSGI app served in a thread (wsgi). Nothing here is imported by the product."""
