"""Where each default comes from: published figures or model choices."""

CALIBRATED = "calibrated: the default run's stage conversions fall in the published industry ranges"
ASSUMPTION = "modelling assumption"
DECAY = (
    "the moderate preset (conf/decay/moderate.yaml): fitted to half the log-effects of Oldroyd et al. "
    "(HBR 2011) and the MIT-InsideSales study (2007); see ODD section 7"
)

SOURCES = {
    "market.smb.group_size": "Gartner: buying groups of 6-10 (segment mix averages about 7)",
    "market.mid_market.group_size": "Gartner: buying groups of 6-10",
    "market.enterprise.group_size": "Gartner: buying groups of 6-10 (enterprise at the top)",
    "market.smb.cycle_days": "industry range: SMB cycles 14-30 days",
    "market.mid_market.cycle_days": "industry range: mid-market cycles 30-90 days",
    "market.enterprise.cycle_days": "industry range: enterprise cycles 90-180+ days",
    "market.two_decision_makers_share": ASSUMPTION,
    "opportunity.two_dm_factor": "CEB: purchase probability 81 % with one decision maker vs 55 % with two",
    "opportunity.win_rate": "calibrated to CSO Insights 2016: 46.6 % won / 29.6 % lost / 23.8 % no decision",
    "opportunity.no_decision_rate": "calibrated to CSO Insights 2016 (23.8 % no decision)",
    "opportunity.sql_to_opportunity": "calibrated: SQL->won 15-30 % (industry range)",
    "sales.admin_share": "CSO Insights 2011: 41 % of rep time selling (the rest admin, research, idle)",
    "sales.max_prospecting_share": "CSO Insights 2011: 24 % of rep time on lead generation and research",
    "sales.give_up_prob": "InsideSales, Velocify audits: reps give up after 1.3-1.6 attempts",
    "policy.max_attempts": "Velocify: 93-95 % of converted leads are reached by attempt 6",
    "policy.cadence_minutes": "Velocify call-attempt studies (six attempts over a week)",
    "policy.sla_minutes": "SiriusDecisions: 43 % of firms have a lead SLA; one hour is the common target",
    "decay.kind": DECAY,
    "decay.tau_minutes": DECAY,
    "decay.alpha": DECAY,
    "decay.reach_share": DECAY,
    "policy.sla_clock": "CRM SLA timers count business hours; SiriusDecisions: 43 % of firms have a lead SLA",
    "marketing.mql_threshold": CALIBRATED + " (inquiry->MQL 10-35 %)",
    "policy.acceptance_threshold": CALIBRATED + " (MQL->SAL 40-60 %)",
    "sales.reach_rate": CALIBRATED + " (MQL->SAL 40-60 %)",
    "sales.qualify_rate": CALIBRATED + " (SAL->SQL 50-70 %)",
    "sales.lead_expiry_days": "Sabnis et al. 2013: many marketing leads are never pursued",
    "marketing.business_hours_share": ASSUMPTION + " (most B2B web inquiries arrive in office hours)",
}


def source(key: str) -> str:
    if key.startswith(("sim.", "output.", "scenario")):
        return "run setting"
    return SOURCES.get(key, ASSUMPTION)
