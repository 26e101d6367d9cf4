"""Beyond the dossier: the NGO register, obligations after approval, reports, risk, post-checks."""
