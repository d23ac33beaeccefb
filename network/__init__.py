"""Road network analysis for rural health planning.

Pure functions over a ``networkx`` road graph passed as an argument; inputs
are never modified. See docs/network.md.
"""

from .access import (
                     DEFAULT_RULES,
                     accessibility,
                     compare_accessibility,
                     rule_gaps,
                     serving_facilities,
                     settlement_access,
                     staffed_after_allocation,
)
from .distance import DEFAULT_DETOUR_FACTOR, distance_matrix, geodesic_matrix
from .errors import (
                     DataQualityWarning,
                     DisconnectedNetworkWarning,
                     NetworkInputError,
                     PlanningError,
                     Problem,
                     UnreachableWarning,
)
from .generator import generate_facilities, generate_village_network
from .geo import geodesic_km
from .graph import DEFAULT_SPEED_KMH, SPEED_KMH, build_road_graph, connected_components_report
from .models import ModelSolution, solve_max_covering, solve_p_median
from .planning import PlanResult, plan_network
from .pmedian_exact import solve_p_median_exact
from .snap import CONNECTOR_SPEED_KMH, snap_points
from .staffing import DEFAULT_STAFFING, staff_needed

__all__ = [
    "CONNECTOR_SPEED_KMH", "DEFAULT_DETOUR_FACTOR", "DEFAULT_RULES", "DEFAULT_SPEED_KMH",
    "DEFAULT_STAFFING", "SPEED_KMH",
    "DataQualityWarning", "DisconnectedNetworkWarning", "ModelSolution", "NetworkInputError", "Problem",
    "PlanResult", "PlanningError", "UnreachableWarning",
    "accessibility", "build_road_graph", "compare_accessibility", "connected_components_report",
    "distance_matrix", "generate_facilities", "generate_village_network", "geodesic_km",
    "geodesic_matrix", "plan_network", "rule_gaps", "serving_facilities", "settlement_access",
    "snap_points", "solve_max_covering", "solve_p_median", "solve_p_median_exact",
    "staff_needed", "staffed_after_allocation",
]
