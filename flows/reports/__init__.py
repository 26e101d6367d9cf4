"""Exports (xuất báo cáo): the dossier list, the register (form 07) and the monitoring figures,
as CSV and XLSX with Vietnamese headers. No web framework here: `api/routes/reports.py` serves
what these modules write."""
