//! The stored words of orders: where an order stands, how it closed, whose hire a hire
//! is, and which tranche a payment pays.

use crate::stored::stored_enum;

stored_enum! {
    /// Where an order stands: draft → submitted → assigned → in training → closed.
    pub enum OrderStatus("order status") {
        /// The employer is still writing it; nobody else sees it.
        Draft = "draft" => "草稿",
        /// Waiting for the bureau to assign a provider (providers may offer to take it).
        Submitted = "submitted" => "待分派",
        /// A provider is assigned; no cohort linked yet.
        Assigned = "assigned" => "已分派",
        /// At least one cohort of the provider fulfils it.
        InTraining = "in_training" => "培训中",
        /// Closed by the bureau, fulfilled or not.
        Closed = "closed" => "已结束",
    }
}

stored_enum! {
    /// How a closed order ended.
    pub enum OrderOutcome("order outcome") {
        Fulfilled = "fulfilled" => "已完成",
        NotFulfilled = "not_fulfilled" => "未完成",
    }
}

stored_enum! {
    /// Who hired a trainee: the order's employer, or another employer (recorded by the
    /// provider and counted apart).
    pub enum Employment("order employment") {
        Own = "own" => "订单单位录用",
        OtherEmployer = "other_employer" => "其他单位录用",
    }
}

stored_enum! {
    /// Which part of the training fee a payment pays.
    pub enum Tranche("order payment tranche") {
        /// The share due when the order is assigned.
        Assignment = "assignment" => "分派时拨付",
        /// The share due when enough trainees are employed.
        Outcome = "outcome" => "就业达标后拨付",
    }
}

impl OrderStatus {
    /// Whether a provider may still be assigned or offer to take it.
    pub fn is_open(self) -> bool {
        self == Self::Submitted
    }

    /// Whether cohorts, hires and payments may still be recorded.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Assigned | Self::InTraining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<OrderStatus>();
        crate::stored::assert_strict::<OrderOutcome>();
        crate::stored::assert_strict::<Employment>();
        crate::stored::assert_strict::<Tranche>();
    }
}
