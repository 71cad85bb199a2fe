"""Flatten a validated config into the numeric parameters the behaviour functions read."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from sim import policies
from sim.budget import budget_split
from sim.config import CHANNELS, FunnelConfig

SEGMENTS = ("smb", "mid_market", "enterprise")

_FIELDS = """
seed days n_accounts
seg_cum group_size deal_value deal_cv cycle_days in_market_days opp_minutes
in_market_rate ramp_days cool_off_days customer_days two_dm_share fit_a fit_b
ch_prob ch_cum ch_resp ch_fitw ch_intent ch_points ch_cost p_touch
inbound_rate inbound_points fit_points eng_cap half_life mql_threshold bh_share weekend_factor
nurture_days recycle_days
decay_kind tau alpha w_fast tau_fast tau_slow reach_share
reps work_start work_minutes admin_share check_minutes switch_minutes attempt_minutes conv_minutes
max_lead_share max_prosp_share meeting_rate reach_rate qualify_rate observe_noise give_up
expiry_minutes rep_cost
handoff_mode batch_minutes routing shared_queue owner_deals discipline sla breach_action breach_check
max_attempts cadence acceptance
sql_to_opp win_rate fit_effect two_dm_factor nd_rate nd_per_member att_elast ev_cap
n_ae n_sdr lead_lo lead_hi tier rejected_mode rr_weights cap_per_day lead_def
scoring dprime eng_decay points_per_day feedback_days feedback_rate
allocation absence_rate always handling handling_cv leads_only check_habit pickup sla_clock
arrivals leads_per_hour hourly weekday
"""
Params = namedtuple("Params", _FIELDS.split())

BREACH_CHECKS = ("", "sight", "day_start")  # when the drivers look for breached leads (see sim.policies.breach)
ALLOCATION = ("leads_first", "fixed_prospecting", "own_prospects_first")
HANDLING = ("fixed", "exponential", "lognormal")
DECAY = ("power", "two_exponential")
PICKUP = ("push", "poll")
PUSH, POLL = range(2)
SLA_CLOCK = ("business", "calendar")


def expected_contacts(cfg: FunnelConfig) -> float:
    m = cfg.market
    return m.accounts * sum(getattr(m, s).share * getattr(m, s).group_size for s in SEGMENTS)


def make_params(cfg: FunnelConfig, n_contacts: int) -> Params:
    """Numbers in model units: minutes for times within the day, days for market clocks."""
    m, mk, s, po, op, dc = cfg.market, cfg.marketing, cfg.sales, cfg.policy, cfg.opportunity, cfg.decay
    seg = [getattr(m, k) for k in SEGMENTS]
    ch = [getattr(mk, k) for k in CHANNELS]
    f8 = np.float64
    scale = mk.budget_scale / max(n_contacts, 1)
    scale, n_reps = budget_split(cfg, scale)  # the marketing-vs-reps lever (sim/budget.py)
    ch_prob = np.array([c.budget_per_day / c.cost_per_touch * scale for c in ch], dtype=f8)
    ch_cum = np.cumsum(ch_prob)  # switched-off channels keep their share of the draws (common random numbers)
    ch_prob = ch_prob * np.array([c.enabled and mk.enabled for c in ch], dtype=f8)
    always = s.calendar == "always"
    work_minutes = 1440.0 if always else s.hours_per_day * 60.0
    n_ae, n_sdr = n_reps, int(s.sdrs)
    lead_lo, lead_hi = policies.get("tier", po.handoff.tier).fn(n_ae, n_sdr)
    weights = np.resize(np.array(list(po.routing_weights), dtype=f8), n_ae + n_sdr)
    hourly = np.array(list(cfg.staffing.hourly_profile), dtype=f8)
    hourly = hourly / hourly.mean()
    from scipy.special import ndtri  # the normal quantile behind scipy.stats.norm.ppf, without importing scipy.stats

    dprime = float(np.sqrt(2.0) * ndtri(mk.predictive_auc))
    # Reps pace their queue checks to the SLA: half the target, never longer than their habit.
    check = min(s.check_interval_minutes, max(po.sla_minutes / 2.0, 5.0))
    if s.allocation == "own_prospects_first":
        check = s.check_interval_minutes
    return Params(
        seed=np.uint64(cfg.sim.seed),
        days=int(cfg.sim.days),
        n_accounts=int(m.accounts),
        seg_cum=np.cumsum([g.share for g in seg]).astype(f8),
        group_size=np.array([g.group_size for g in seg], dtype=f8),
        deal_value=np.array([g.deal_value for g in seg], dtype=f8),
        deal_cv=np.array([g.deal_value_cv for g in seg], dtype=f8),
        cycle_days=np.array([g.cycle_days for g in seg], dtype=f8),
        in_market_days=np.array([g.in_market_days for g in seg], dtype=f8),
        opp_minutes=np.array([g.opp_minutes_per_day for g in seg], dtype=f8),
        in_market_rate=float(m.in_market_rate),
        ramp_days=float(m.intent_ramp_days),
        cool_off_days=int(m.cool_off_days),
        customer_days=int(m.customer_days),
        two_dm_share=float(m.two_decision_makers_share),
        fit_a=float(m.fit_a),
        fit_b=float(m.fit_b),
        ch_prob=ch_prob,
        ch_cum=ch_cum,
        ch_resp=np.array([c.response_rate for c in ch], dtype=f8),
        ch_fitw=np.array([c.fit_weight for c in ch], dtype=f8),
        ch_intent=np.array([c.intent_lift for c in ch], dtype=f8),
        ch_points=np.array([c.points for c in ch], dtype=f8),
        ch_cost=np.array([c.cost_per_touch for c in ch], dtype=f8),
        p_touch=float(ch_cum[-1]),
        inbound_rate=float(mk.inbound_rate) if mk.enabled and mk.inbound_enabled else 0.0,
        inbound_points=float(mk.inbound_points),
        fit_points=float(mk.fit_points),
        eng_cap=float(mk.engagement_cap),
        half_life=float(mk.half_life_days),
        mql_threshold=float(mk.mql_threshold),
        bh_share=float(mk.business_hours_share),
        weekend_factor=float(mk.weekend_factor),
        nurture_days=int(mk.nurture_days),
        recycle_days=int(mk.recycle_days),
        decay_kind=DECAY.index(dc.kind),
        tau=float(dc.tau_minutes),
        alpha=float(dc.alpha),
        w_fast=float(dc.weight_fast),
        tau_fast=float(dc.tau_fast_minutes),
        tau_slow=float(dc.tau_slow_minutes),
        reach_share=float(dc.reach_share),
        reps=n_ae + n_sdr,
        work_start=0.0 if always else float(s.work_start_hour * 60.0),
        work_minutes=float(work_minutes),
        admin_share=float(s.admin_share),
        check_minutes=float(check),
        switch_minutes=float(s.switch_minutes),
        attempt_minutes=float(s.attempt_minutes),
        conv_minutes=float(s.conversation_minutes),
        max_lead_share=float(s.max_lead_share),
        max_prosp_share=float(s.max_prospecting_share),
        meeting_rate=float(s.meetings_per_prospecting_hour),
        reach_rate=float(s.reach_rate),
        qualify_rate=float(s.qualify_rate),
        observe_noise=float(s.observe_noise),
        give_up=float(s.give_up_prob),
        expiry_minutes=float(s.lead_expiry_days * 1440.0),
        rep_cost=float(s.cost_per_day),
        handoff_mode=policies.code("timing", po.handoff.mode),
        batch_minutes=float(po.handoff.batch_hours * 60.0),
        routing=policies.code("routing", po.routing),
        shared_queue=int(policies.flag("routing", po.routing, "shared_queue")),
        owner_deals=int(policies.flag("routing", po.routing, "owner_deals")),
        discipline=policies.code("discipline", po.discipline),
        sla=float(po.sla_minutes),
        breach_action=policies.code("breach", po.breach_action),
        breach_check=BREACH_CHECKS.index(policies.flag("breach", po.breach_action, "check", "")),
        max_attempts=int(po.max_attempts),
        cadence=np.array(list(po.cadence_minutes), dtype=f8),
        acceptance=float(po.acceptance_threshold),
        sql_to_opp=float(op.sql_to_opportunity),
        win_rate=float(op.win_rate),
        fit_effect=float(op.fit_effect),
        two_dm_factor=float(op.two_dm_factor),
        nd_rate=float(op.no_decision_rate),
        nd_per_member=float(op.no_decision_per_member),
        att_elast=float(op.attention_elasticity),
        ev_cap=256,
        n_ae=n_ae,
        n_sdr=n_sdr,
        lead_lo=int(lead_lo),
        lead_hi=int(lead_hi),
        tier=policies.code("tier", po.handoff.tier),
        rejected_mode=policies.code("rejected", po.handoff.rejected),
        rr_weights=weights,
        cap_per_day=int(po.lead_cap_per_day),
        lead_def=("separate", "shared").index(po.lead_definition),
        scoring=("rules", "predictive").index(mk.scoring),
        dprime=dprime,
        eng_decay=("half_life", "linear").index(mk.engagement_decay),
        points_per_day=float(mk.points_per_week / 7.0),
        feedback_days={"none": 0, "weekly": 7, "monthly": 30}[mk.feedback],
        feedback_rate=float(mk.feedback_rate),
        allocation=ALLOCATION.index(s.allocation),
        absence_rate=float(s.absence_rate),
        always=int(always),
        handling=HANDLING.index(s.handling),
        handling_cv=float(s.handling_cv),
        leads_only=int(s.leads_only),
        check_habit=float(s.check_interval_minutes),
        pickup=PICKUP.index(s.pickup),
        sla_clock=SLA_CLOCK.index(po.sla_clock),
        arrivals=int(cfg.staffing.mode == "arrivals"),
        leads_per_hour=float(cfg.staffing.leads_per_hour),
        hourly=hourly,
        weekday=np.array(list(cfg.staffing.weekday_profile), dtype=f8),
    )
