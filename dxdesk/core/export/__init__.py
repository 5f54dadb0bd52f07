"""Monthly export, signed bundles, merging across counters and disclosure control."""

from dxdesk.core.export.bundle import BundleProblem, BundleRejected, ExportError, ImportResult
from dxdesk.core.export.bundle_export import export_month, export_publication
from dxdesk.core.export.bundle_import import import_bundles, read_manifest, verify_bundle
from dxdesk.core.export.summary import MonthSummary, month_bounds, month_summary
from dxdesk.core.export.suppression import DEFAULT_K, PUBLISH_K, SuppressedTable, suppress

__all__ = [
    "DEFAULT_K",
    "PUBLISH_K",
    "BundleProblem",
    "BundleRejected",
    "ExportError",
    "ImportResult",
    "MonthSummary",
    "SuppressedTable",
    "export_month",
    "export_publication",
    "import_bundles",
    "month_bounds",
    "month_summary",
    "read_manifest",
    "suppress",
    "verify_bundle",
]
