//! The stored words of apprenticeships: where an agreement and an apprentice stand, who
//! confirmed a milestone, and the kinds, states and checks of subsidy entries.

use crate::stored::stored_enum;

stored_enum! {
    /// Where an agreement stands: draft → submitted → filed, or returned to the enterprise
    /// with the bureau's reason (and submitted again once rewritten).
    pub enum AgreementStatus("apprenticeship agreement status") {
        /// The enterprise is still writing it; nobody else sees it.
        Draft = "draft" => "草稿",
        /// Waiting for the bureau to file it.
        Submitted = "submitted" => "待备案",
        /// Filed (approved) by the bureau: apprentices may start.
        Filed = "filed" => "已备案",
        /// Returned by the bureau with a reason; the enterprise rewrites and submits again.
        Returned = "returned" => "已退回",
    }
}

stored_enum! {
    /// Where an apprentice stands.
    pub enum ApprenticeStatus("apprentice status") {
        Active = "active" => "在训",
        Paused = "paused" => "暂停",
        /// Left before the agreement's end (date and reason kept).
        Left = "left" => "中途退出",
        Completed = "completed" => "已结业",
    }
}

stored_enum! {
    /// Who confirmed a milestone: the enterprise's mentor side or the provider's teacher side.
    pub enum MilestoneSide("apprentice milestone side") {
        EnterpriseMentor = "enterprise_mentor" => "企业导师",
        Provider = "provider" => "培训机构",
    }
}

stored_enum! {
    /// What a subsidy entry is.
    pub enum EntryKind("apprenticeship subsidy entry kind") {
        /// Paid in advance for an apprenticeship year (at most the configured share).
        Advance = "advance" => "预拨",
        /// The rest of the year's subsidy, once the apprentice completes.
        Balance = "balance" => "结业清算",
        /// A negative entry taking back the advance of the year an apprentice left in.
        Clawback = "clawback" => "中途退出扣回",
        /// A late correction of an entry whose period is closed, booked in the open one.
        Adjustment = "adjustment" => "更正调整",
    }
}

stored_enum! {
    /// Whether an entry counts: booked into a period, or held for a failed check (in no
    /// period until it passes).
    pub enum EntryStatus("apprenticeship subsidy entry status") {
        Booked = "booked" => "已入账",
        Held = "held" => "暂缓",
    }
}

stored_enum! {
    /// A reporting period (the 21st of one month to the 20th of the next): open, or closed
    /// by the bureau and never changed after.
    pub enum PeriodStatus("apprenticeship subsidy period status") {
        Open = "open" => "未结账",
        Closed = "closed" => "已结账",
    }
}

stored_enum! {
    /// A check an entry passed (or failed, when it is held).
    pub enum Check("apprenticeship subsidy check") {
        /// The labour contract covers the apprenticeship year.
        ContractCoversPeriod = "contract_covers_period" => "劳动合同覆盖培养期",
        /// An enterprise mentor is assigned.
        MentorAssigned = "mentor_assigned" => "已配备企业导师",
        /// Employed when the first year began.
        EmployedAtStart = "employed_at_start" => "培养开始时在职",
        /// Still employed at the anniversary that begins the year (or at completion).
        StillEmployedAtAnniversary = "still_employed_at_anniversary" => "周年时仍在职",
        /// The milestones due by then are completed.
        MilestonesMet = "milestones_met" => "培养节点已完成",
        /// A claw-back's ground: the apprentice left before the agreement's end.
        LeftEarly = "left_early" => "中途退出",
        /// The city has a rate for the year and the target level.
        RateConfigured = "rate_configured" => "已配置补贴标准",
    }
}

impl ApprenticeStatus {
    /// Whether the apprenticeship is still running (milestones, pausing, leaving).
    pub fn is_running(self) -> bool {
        matches!(self, Self::Active | Self::Paused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<AgreementStatus>();
        crate::stored::assert_strict::<ApprenticeStatus>();
        crate::stored::assert_strict::<MilestoneSide>();
        crate::stored::assert_strict::<EntryKind>();
        crate::stored::assert_strict::<EntryStatus>();
        crate::stored::assert_strict::<PeriodStatus>();
        crate::stored::assert_strict::<Check>();
    }
}
