/** The spend controls' settings (OLYMPUS_SPEND_AUTO_APPROVE) and their defaults. */
export interface BudgetSettings {
  /**
   * Largest single LLM call or external spend, in the project's budget currency, that goes ahead without
   * a TO; anything above opens a `spend` checkpoint first.
   */
  autoApprove: number;
  /**
   * How far past the budget a TO's approval of a `budget_reached` checkpoint lets the project go, as a
   * share of the budget (the approval also covers at least the call that hit the limit).
   */
  overrunShare: number;
}

export const DEFAULT_SPEND_AUTO_APPROVE = 5;

export const DEFAULT_BUDGET_SETTINGS: BudgetSettings = {
  autoApprove: DEFAULT_SPEND_AUTO_APPROVE,
  overrunShare: 0.1,
};
