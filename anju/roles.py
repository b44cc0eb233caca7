"""The roles of SPEC §1: each is a BPMN lane id and a set of people in the database.

Owns: the role catalogue (id, Chinese and English name), the admin role and the department
manager roles (a manager role is no lane: it lets its holder reassign its department's tasks).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    name_zh: str
    name_en: str
    manages: str | None = None  # a manager role: the department (lane) it manages


ROLES: tuple[Role, ...] = (
    Role("customer_service", "客户服务部", "Customer service"),
    Role("design", "设计管理部", "Design management"),
    Role("engineering", "项目工程部", "Project engineering"),
    Role("sales", "项目销售部", "Sales"),
    Role("property", "物业公司", "Property management"),
    Role("leader", "分管领导", "Supervising leader"),
    Role("gm", "总经理", "General manager"),
    Role("admin", "系统管理员", "Administrator"),
    Role("cs_manager", "客户服务部经理", "Customer-service manager", "customer_service"),
    Role("design_manager", "设计管理部经理", "Design manager", "design"),
    Role("engineering_manager", "项目工程部经理", "Engineering manager", "engineering"),
    Role("sales_manager", "项目销售部经理", "Sales manager", "sales"),
    Role("property_manager", "物业公司经理", "Property manager", "property"),
)
MANAGED: dict[str, str] = {r.id: r.manages for r in ROLES if r.manages is not None}  # -> lane
LANE_ROLES = frozenset(role.id for role in ROLES if role.id != "admin" and not role.manages)
ROLE_IDS = frozenset(role.id for role in ROLES)
PROJECT_STARTERS = frozenset({"customer_service", "admin"})  # who may start a project
ADMIN = "admin"


def managed_departments(roles: set[str] | frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    """The departments (lanes) whose tasks a holder of `roles` may reassign."""
    return frozenset(MANAGED[role] for role in roles if role in MANAGED)
