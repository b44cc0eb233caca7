"""The roles of SPEC §1: each is a BPMN lane id and a set of people in the database.

Owns: the role catalogue (id, Chinese and English name) and the admin role.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    name_zh: str
    name_en: str


ROLES: tuple[Role, ...] = (
    Role("customer_service", "客户服务部", "Customer service"),
    Role("design", "设计管理部", "Design management"),
    Role("engineering", "项目工程部", "Project engineering"),
    Role("sales", "项目销售部", "Sales"),
    Role("property", "物业公司", "Property management"),
    Role("leader", "分管领导", "Supervising leader"),
    Role("gm", "总经理", "General manager"),
    Role("admin", "系统管理员", "Administrator"),
)
LANE_ROLES = frozenset(role.id for role in ROLES if role.id != "admin")
ROLE_IDS = frozenset(role.id for role in ROLES)
PROJECT_STARTERS = frozenset({"customer_service", "admin"})  # who may start a project
