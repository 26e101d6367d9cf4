"""Monitoring figures (thống kê, báo cáo): computed by SQL aggregation over stored counters.

The write path stores what aggregation needs when it happens (a dossier's receipt and
completion dates, working days used, timeliness, each request's answer, each finished step),
and keeps per-day and per-month counters of them in `MetricCount`; the read side sums a few
counter rows per figure. Public functions take `(engine, filters, now)`.
"""
