"""A tiny two-file process written by tests: a lifecycle with one stage whose gateway
condition the test chooses. Used where the real models cannot show a fault (a failing
expression, an unsafe one) without many steps."""

from __future__ import annotations

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs_{pid}" '
    'targetNamespace="https://anju.example/test">\n'
)


def lifecycle(called: str = "mini_stage") -> str:
    return (
        HEADER.format(pid="project_lifecycle")
        + """<bpmn:process id="project_lifecycle" name="测试生命周期" isExecutable="true">
  <bpmn:laneSet id="lanes"><bpmn:lane id="customer_service" name="客户服务部">
    <bpmn:flowNodeRef>lc_start</bpmn:flowNodeRef><bpmn:flowNodeRef>call_mini</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>lc_end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
  <bpmn:startEvent id="lc_start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:callActivity id="call_mini" name="测试阶段" calledElement="CALLED">
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
  <bpmn:endEvent id="lc_end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="lc_start" targetRef="call_mini" />
  <bpmn:sequenceFlow id="f2" sourceRef="call_mini" targetRef="lc_end" />
</bpmn:process>
</bpmn:definitions>
""".replace("CALLED", called)
    )


def stage(condition: str = "amount == 1", target: str = "gate_review") -> str:
    return (
        HEADER.format(pid="mini_stage")
        + """<bpmn:process id="mini_stage" name="测试阶段" isExecutable="true">
  <bpmn:laneSet id="lanes">
    <bpmn:lane id="customer_service" name="客户服务部">
      <bpmn:flowNodeRef>m_start</bpmn:flowNodeRef><bpmn:flowNodeRef>fill_form</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>check</bpmn:flowNodeRef><bpmn:flowNodeRef>m_end</bpmn:flowNodeRef>
    </bpmn:lane>
    <bpmn:lane id="leader" name="分管领导"><bpmn:flowNodeRef>gate_review</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>gate_check</bpmn:flowNodeRef></bpmn:lane>
  </bpmn:laneSet>
  <bpmn:startEvent id="m_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="fill_form" name="填写表单">
    <bpmn:documentation>填写数量。</bpmn:documentation>
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="due" value="P3D" />
      <spiffworkflow:property name="field.amount" value="number|optional|数量" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>s1</bpmn:incoming><bpmn:incoming>s6</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:exclusiveGateway id="check" default="s4"><bpmn:incoming>s2</bpmn:incoming>
    <bpmn:outgoing>s3</bpmn:outgoing><bpmn:outgoing>s4</bpmn:outgoing></bpmn:exclusiveGateway>
  <bpmn:userTask id="gate_review" name="领导审核">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="due" value="P5D" />
      <spiffworkflow:property name="approval" value="stage_gate" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>s3</bpmn:incoming><bpmn:outgoing>s5</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:exclusiveGateway id="gate_check" default="s6"><bpmn:incoming>s5</bpmn:incoming>
    <bpmn:outgoing>s7</bpmn:outgoing><bpmn:outgoing>s6</bpmn:outgoing></bpmn:exclusiveGateway>
  <bpmn:endEvent id="m_end">
    <bpmn:incoming>s4</bpmn:incoming><bpmn:incoming>s7</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="s1" sourceRef="m_start" targetRef="fill_form" />
  <bpmn:sequenceFlow id="s2" sourceRef="fill_form" targetRef="check" />
  <bpmn:sequenceFlow id="s3" sourceRef="check" targetRef="TARGET">
    <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="s4" sourceRef="check" targetRef="m_end" />
  <bpmn:sequenceFlow id="s5" sourceRef="gate_review" targetRef="gate_check" />
  <bpmn:sequenceFlow id="s6" sourceRef="gate_check" targetRef="fill_form" />
  <bpmn:sequenceFlow id="s7" sourceRef="gate_check" targetRef="m_end">
    <bpmn:conditionExpression>gate_review_decision == "approved"</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
</bpmn:process>
</bpmn:definitions>
""".replace("CONDITION", condition.replace("&", "&amp;").replace("<", "&lt;")).replace(
            "TARGET", target
        )
    )


def files(condition: str = "amount == 1", **kwargs: str) -> dict[str, str]:
    return {"project_lifecycle.bpmn": lifecycle(), "mini_stage.bpmn": stage(condition, **kwargs)}


def timed_stage() -> str:
    """A stage that waits for a timer one month before the planned hand-over date."""
    return (
        HEADER.format(pid="mini_stage")
        + """<bpmn:process id="mini_stage" name="测试阶段" isExecutable="true">
  <bpmn:laneSet id="lanes">
    <bpmn:lane id="customer_service" name="客户服务部">
      <bpmn:flowNodeRef>m_start</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>fill_form</bpmn:flowNodeRef><bpmn:flowNodeRef>m_end</bpmn:flowNodeRef>
    </bpmn:lane>
  </bpmn:laneSet>
  <bpmn:startEvent id="m_start"><bpmn:outgoing>t1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:intermediateCatchEvent id="wait" name="交房前一个月">
    <bpmn:incoming>t1</bpmn:incoming><bpmn:outgoing>t2</bpmn:outgoing>
    <bpmn:timerEventDefinition id="wait_timer">
      <bpmn:timeDate>add_duration(planned_handover_date, "-P1M")</bpmn:timeDate>
    </bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:userTask id="fill_form" name="填写表单">
    <bpmn:documentation>定时器到期后出现。</bpmn:documentation>
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="due" value="P3D" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>t2</bpmn:incoming><bpmn:outgoing>t3</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:endEvent id="m_end"><bpmn:incoming>t3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="t1" sourceRef="m_start" targetRef="wait" />
  <bpmn:sequenceFlow id="t2" sourceRef="wait" targetRef="fill_form" />
  <bpmn:sequenceFlow id="t3" sourceRef="fill_form" targetRef="m_end" />
</bpmn:process>
</bpmn:definitions>
"""
    )


def timed_files() -> dict[str, str]:
    return {"project_lifecycle.bpmn": lifecycle(), "mini_stage.bpmn": timed_stage()}
