"""The hub's summaries, pure functions on small frames (cooperatives x months x commodities), one module each:
reporting compliance, leading commodities, the hub balance with its transfer plan, financing eligibility, and the
processing projection (what processing the leading commodities would yield and add).
``include.kopdes_hub.publish`` reads their inputs and writes them."""
