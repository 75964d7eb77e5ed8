//! Rank rewards (SPEC §9): funded by the admin, credited by `rank_batch`
//! while it verifies the round, withdrawn by the wallet, forfeited on
//! revocation. After every step the vault must hold what the role owes.
mod common;
use common::*;
use pictor_vip::errors::PictorError;
use pictor_vip::state::Role;
use pictor_vip_sdk::crank;
use pictor_vip_sdk::transport::Transport;
use pictor_vip_sdk::{ix, pda};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;

fn fund(
    f: &mut Fixture,
    r: &Reward,
    role: Role,
    amount: u64,
    top_k: u32,
) -> Result<(), pictor_vip_sdk::transport::SendError> {
    let admin = f.admin.insecure_clone();
    f.send(&[ix::fund_rewards(&admin.pubkey(), role, &r.mint, &r.program, &r.funder, amount, top_k)], &[&admin])
}

fn withdraw(f: &mut Fixture, r: &Reward, role: Role, w: &Keypair) -> Result<(), pictor_vip_sdk::transport::SendError> {
    let payer = f.rt.fee_payer();
    f.send(&[ix::withdraw_rewards(&w.pubkey(), &payer, role, &r.mint, &r.program)], &[w])
}

/// What the wallet may withdraw: its balance and the latest finalised
/// round's credit (which joins the balance at its next touch).
fn reward_balance(f: &mut Fixture, role: Role, w: &Keypair) -> u64 {
    let finalised = f.board(role).finalised;
    f.member(role, &w.pubkey()).header().withdrawable(finalised.as_ref())
}

/// The invariant: the vault holds at least every credited, unwithdrawn
/// balance plus what is pending, carried and attached to an open round.
#[track_caller]
fn assert_vault_covers(f: &mut Fixture, role: Role) {
    let board = f.board(role);
    let owed = board.rewards.obligations(board.open.as_ref()).unwrap();
    let held = token_balance(f, &pda::reward_vault(role));
    assert!(held >= owed, "vault {held} < owed {owed}: {:?}", board.rewards);
    // And the liability is exactly what the members may withdraw.
    let finalised = board.finalised.as_ref();
    let members: u64 = pictor_vip_sdk::read::members(&mut f.rt, role)
        .unwrap()
        .iter()
        .map(|(_, m)| m.header().withdrawable(finalised))
        .sum();
    assert_eq!(members, board.rewards.liability_base_units);
}

fn run(f: &mut Fixture, role: Role) -> crank::RoundOutcome {
    let crank = f.crank.insecure_clone();
    let options = crank::RoundOptions { batch_size: 2, ..Default::default() };
    crank::run_round(&mut f.rt, &crank, role, options, &mut |_, _| {}).unwrap()
}

#[test]
fn the_top_k_share_the_funding_and_the_remainder_stays_for_the_next_funded_round() {
    for program in [TOKEN, TOKEN_2022] {
        let mut f = Fixture::new();
        let r = reward_mint(&mut f, program);
        // Scores: ws[3] > ws[2] > ws[1] > ws[0].
        let ws = creators(&mut f, &[1, 2, 3, 4]);
        fund(&mut f, &r, Role::Creator, 1_000 * USDT + 1, 3).unwrap();
        assert_vault_covers(&mut f, Role::Creator);
        run(&mut f, Role::Creator);
        // ⌊(1,000 USDT + 1) / 3⌋ to the top three; 2 base units left over.
        let share = (1_000 * USDT + 1) / 3;
        let got: Vec<u64> = ws.iter().map(|w| reward_balance(&mut f, Role::Creator, w)).collect();
        assert_eq!(got, vec![0, share, share, share], "{program}");
        let rewards = f.board(Role::Creator).rewards;
        assert_eq!((rewards.carry_base_units, rewards.liability_base_units), (1_000 * USDT + 1 - 3 * share, 3 * share));
        assert_vault_covers(&mut f, Role::Creator);
        // The next funding takes the remainder with it.
        fund(&mut f, &r, Role::Creator, 4 * USDT, 4).unwrap();
        assert_eq!(f.board(Role::Creator).rewards.pending_base_units, 4 * USDT + 2);
        run(&mut f, Role::Creator);
        let got: Vec<u64> = ws.iter().map(|w| reward_balance(&mut f, Role::Creator, w)).collect();
        let second = (4 * USDT + 2) / 4;
        assert_eq!(got, vec![second, share + second, share + second, share + second]);
        assert_vault_covers(&mut f, Role::Creator);
    }
}

#[test]
fn k_above_the_members_pays_each_member_the_share_of_min_k_members() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1, 2]);
    fund(&mut f, &r, Role::Creator, 100 * USDT, 10).unwrap();
    run(&mut f, Role::Creator);
    for w in &ws {
        assert_eq!(reward_balance(&mut f, Role::Creator, w), 50 * USDT);
    }
    assert_eq!(f.board(Role::Creator).rewards.carry_base_units, 0);
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn k_of_one_pays_the_top_rank_only_and_k_of_zero_the_priority_count() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN);
    let ws = creators(&mut f, &[5, 9, 1]);
    fund(&mut f, &r, Role::Creator, 30 * USDT, 1).unwrap();
    run(&mut f, Role::Creator);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[1]), 30 * USDT);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]) + reward_balance(&mut f, Role::Creator, &ws[2]), 0);
    // K = 0: the round's priority count (⌈3 × 10 %⌉ = 1).
    fund(&mut f, &r, Role::Creator, 7 * USDT, 0).unwrap();
    run(&mut f, Role::Creator);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[1]), 37 * USDT);
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn a_tie_at_the_kth_rank_is_decided_by_the_earlier_pass() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    // Equal scores: claim order decides; K = 2 pays the first two passes.
    let ws = creators(&mut f, &[3, 3, 3]);
    fund(&mut f, &r, Role::Creator, 10 * USDT, 2).unwrap();
    run(&mut f, Role::Creator);
    let got: Vec<u64> = ws.iter().map(|w| reward_balance(&mut f, Role::Creator, w)).collect();
    assert_eq!(got, vec![5 * USDT, 5 * USDT, 0]);
}

#[test]
fn funding_while_a_round_is_open_goes_to_the_next_round_and_an_abandoned_round_carries_over() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1, 2]);
    let crank_kp = f.crank.insecure_clone();
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    fund(&mut f, &r, Role::Creator, 20 * USDT, 2).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().reward.amount_base_units, 0, "not this round");
    let done = run(&mut f, Role::Creator);
    assert_eq!(done.round, 1);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 0);
    // Round 2 takes the funding; it is abandoned before a batch: all of it carries over.
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Creator, 2)], &[&crank_kp]).unwrap();
    assert_eq!(f.board(Role::Creator).open.unwrap().reward.amount_base_units, 20 * USDT);
    assert_vault_covers(&mut f, Role::Creator);
    f.send(&[ix::abandon_round(&crank_kp.pubkey(), Role::Creator, 2)], &[&crank_kp]).unwrap();
    assert_eq!(f.board(Role::Creator).rewards.pending_base_units, 20 * USDT);
    run(&mut f, Role::Creator);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 10 * USDT);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[1]), 10 * USDT);
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn a_wallet_withdraws_its_whole_balance_once_to_its_own_account() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1, 2]);
    fund(&mut f, &r, Role::Creator, 8 * USDT, 2).unwrap();
    run(&mut f, Role::Creator);
    withdraw(&mut f, &r, Role::Creator, &ws[1]).unwrap();
    assert_eq!(token_balance(&mut f, &pda::reward_destination(&ws[1].pubkey(), &r.mint, &r.program)), 4 * USDT);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[1]), 0);
    assert_vault_covers(&mut f, Role::Creator);
    // Twice: nothing owed.
    expect_err(withdraw(&mut f, &r, Role::Creator, &ws[1]), PictorError::NothingToWithdraw);
    // Another wallet cannot take it: the member is the signer's own.
    let mut theft = ix::withdraw_rewards(&ws[1].pubkey(), &f.rt.fee_payer(), Role::Creator, &r.mint, &r.program);
    theft.accounts[3].pubkey = pda::member(Role::Creator, &ws[0].pubkey());
    expect_err_named(f.send(&[theft], &[&ws[1]]), "ConstraintSeeds");
    // Nor send it to another wallet's account.
    let mut elsewhere = ix::withdraw_rewards(&ws[0].pubkey(), &f.rt.fee_payer(), Role::Creator, &r.mint, &r.program);
    elsewhere.accounts[7].pubkey = pda::reward_destination(&ws[1].pubkey(), &r.mint, &r.program);
    expect_err(f.send(&[elsewhere], &[&ws[0]]), PictorError::AccountMismatch);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 4 * USDT);
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn revocation_forfeits_the_balance_and_a_burned_pass_keeps_it() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN);
    let ws = creators(&mut f, &[1, 2]);
    fund(&mut f, &r, Role::Creator, 6 * USDT, 2).unwrap();
    run(&mut f, Role::Creator);
    let admin = f.admin.insecure_clone();
    f.send(&[ix::revoke(&admin.pubkey(), Role::Creator, &ws[0].pubkey(), &f.rt.fee_payer(), 3)], &[&admin]).unwrap();
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 0);
    let rewards = f.board(Role::Creator).rewards;
    assert_eq!((rewards.carry_base_units, rewards.liability_base_units), (3 * USDT, 3 * USDT));
    assert_vault_covers(&mut f, Role::Creator);
    f.burn_pass(Role::Creator, &ws[1]);
    f.send(&[ix::sync_pass(Role::Creator, &ws[1].pubkey(), &f.rt.fee_payer())], &[]).unwrap();
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[1]), 3 * USDT);
    withdraw(&mut f, &r, Role::Creator, &ws[1]).unwrap();
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn a_fake_vault_mint_or_token_program_is_refused() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let other = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1]);
    fund(&mut f, &r, Role::Creator, 2 * USDT, 1).unwrap();
    // Another mint for the same role.
    expect_err(fund(&mut f, &other, Role::Creator, USDT, 1), PictorError::RewardMintMismatch);
    run(&mut f, Role::Creator);
    let payer = f.rt.fee_payer();
    // A fake vault (an account of the same mint the wallet owns).
    let fake = token_account(&mut f, &ws[0].pubkey(), &r.mint, &r.program);
    let mut w = ix::withdraw_rewards(&ws[0].pubkey(), &payer, Role::Creator, &r.mint, &r.program);
    w.accounts[5].pubkey = fake;
    expect_err(f.send(&[w], &[&ws[0]]), PictorError::RewardVaultMismatch);
    // A fake mint.
    let w = ix::withdraw_rewards(&ws[0].pubkey(), &payer, Role::Creator, &other.mint, &other.program);
    expect_err(f.send(&[w], &[&ws[0]]), PictorError::RewardMintMismatch);
    // The wrong token program (classic Token for a Token-2022 mint).
    let mut w = ix::withdraw_rewards(&ws[0].pubkey(), &payer, Role::Creator, &r.mint, &r.program);
    w.accounts[8].pubkey = TOKEN;
    assert!(f.send(&[w], &[&ws[0]]).is_err());
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 2 * USDT);
    withdraw(&mut f, &r, Role::Creator, &ws[0]).unwrap();
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn lamports_planted_at_the_vault_address_do_not_block_it_and_only_the_admin_funds() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    creators(&mut f, &[1]);
    f.rt.airdrop(&pda::reward_vault(Role::Worker), 1_000_000).unwrap();
    fund(&mut f, &r, Role::Worker, 5 * USDT, 0).unwrap();
    assert_eq!(token_balance(&mut f, &pda::reward_vault(Role::Worker)), 5 * USDT);
    let mallory = Keypair::new();
    let w = ix::fund_rewards(&mallory.pubkey(), Role::Worker, &r.mint, &r.program, &r.funder, USDT, 0);
    expect_err(f.send(&[w], &[&mallory]), PictorError::NotAdmin);
    expect_err(fund(&mut f, &r, Role::Worker, 0, 0), PictorError::ZeroAmount);
}

#[test]
fn a_mint_whose_permanent_delegate_could_drain_the_vault_is_refused() {
    use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
    use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
    use anchor_spl::token_2022::spl_token_2022::state::Mint;
    let mut f = Fixture::new();
    let admin = f.admin.insecure_clone();
    let mint = Keypair::new();
    let space = ExtensionType::try_calculate_account_len::<Mint>(&[ExtensionType::PermanentDelegate]).unwrap();
    let rent = f.rt.rent_exempt_minimum(space).unwrap();
    let payer = f.rt.fee_payer();
    let ixs = [
        anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent,
            space as u64,
            &TOKEN_2022,
        ),
        token_ix::initialize_permanent_delegate(&TOKEN_2022, &mint.pubkey(), &admin.pubkey()).unwrap(),
        token_ix::initialize_mint2(&TOKEN_2022, &mint.pubkey(), &admin.pubkey(), None, 6).unwrap(),
    ];
    f.send(&ixs, &[&mint]).unwrap();
    let funder = token_account(&mut f, &admin.pubkey(), &mint.pubkey(), &TOKEN_2022);
    let mint_to = token_ix::mint_to(&TOKEN_2022, &mint.pubkey(), &funder, &admin.pubkey(), &[], 10 * USDT).unwrap();
    f.send(&[mint_to], &[&admin]).unwrap();
    let r = Reward { mint: mint.pubkey(), program: TOKEN_2022, funder };
    expect_err(fund(&mut f, &r, Role::Creator, USDT, 1), PictorError::UnsupportedRewardMint);
    assert!(f.account(&pda::reward_vault(Role::Creator)).is_none());
    assert_eq!(f.board(Role::Creator).rewards.mint, Pubkey::default());
}

#[test]
fn funding_through_a_fake_vault_or_the_wrong_token_program_is_refused() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let admin = f.admin.insecure_clone();
    // Another address as the vault: the vault is the role's PDA.
    let mut w = ix::fund_rewards(&admin.pubkey(), Role::Creator, &r.mint, &r.program, &r.funder, USDT, 1);
    w.accounts[5].pubkey = Pubkey::new_unique();
    expect_err_named(f.send(&[w], &[&admin]), "ConstraintSeeds");
    // Classic Token named for a Token-2022 mint.
    let w = ix::fund_rewards(&admin.pubkey(), Role::Creator, &r.mint, &TOKEN, &r.funder, USDT, 1);
    assert!(f.send(&[w], &[&admin]).is_err());
    assert!(f.account(&pda::reward_vault(Role::Creator)).is_none());
    // The right accounts work; the vault is a token account of the mint owned by the PDA.
    fund(&mut f, &r, Role::Creator, USDT, 1).unwrap();
    let vault = f.account(&pda::reward_vault(Role::Creator)).unwrap();
    let state = anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions::<
        anchor_spl::token_2022::spl_token_2022::state::Account,
    >::unpack(&vault.data)
    .unwrap()
    .base;
    assert_eq!((state.mint, state.owner, state.amount), (r.mint, pda::reward_authority(), USDT));
    println!("| reward vault (Token-2022 token account) | {} bytes | {} lamports |", vault.data.len(), vault.lamports);
}

/// A Token-2022 mint with `extensions` initialised by `init` (before
/// `initialize_mint2`), mint authority the admin, and the admin's token
/// account holding 10 USDT of it.
fn extended_mint(
    f: &mut Fixture,
    extensions: &[anchor_spl::token_2022::spl_token_2022::extension::ExtensionType],
    init: impl Fn(&Pubkey, &Pubkey) -> Vec<solana_instruction::Instruction>,
) -> Reward {
    use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
    use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
    use anchor_spl::token_2022::spl_token_2022::state::Mint;
    let admin = f.admin.insecure_clone();
    let mint = Keypair::new();
    let space = ExtensionType::try_calculate_account_len::<Mint>(extensions).unwrap();
    let rent = f.rt.rent_exempt_minimum(space).unwrap();
    let payer = f.rt.fee_payer();
    let mut ixs = vec![anchor_lang::solana_program::system_instruction::create_account(
        &payer,
        &mint.pubkey(),
        rent,
        space as u64,
        &TOKEN_2022,
    )];
    ixs.extend(init(&mint.pubkey(), &admin.pubkey()));
    ixs.push(token_ix::initialize_mint2(&TOKEN_2022, &mint.pubkey(), &admin.pubkey(), None, 6).unwrap());
    f.send(&ixs, &[&mint]).unwrap();
    let funder = token_account(f, &admin.pubkey(), &mint.pubkey(), &TOKEN_2022);
    let mint_to = token_ix::mint_to(&TOKEN_2022, &mint.pubkey(), &funder, &admin.pubkey(), &[], 10 * USDT).unwrap();
    f.send(&[mint_to], &[&admin]).unwrap();
    Reward { mint: mint.pubkey(), program: TOKEN_2022, funder }
}

#[test]
fn a_crank_that_ranks_the_lowest_first_and_abandons_pays_nobody() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    // Scores: ws[2] > ws[1] > ws[0].
    let ws = creators(&mut f, &[1, 2, 3]);
    fund(&mut f, &r, Role::Creator, 9 * USDT, 1).unwrap();
    let crank_kp = f.crank.insecure_clone();
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    // Nothing precedes the first member ranked: the crank claims the lowest is first.
    let lowest = pda::member(Role::Creator, &ws[0].pubkey());
    f.send(&[ix::rank_batch(&crank_kp.pubkey(), Role::Creator, 1, &[lowest])], &[&crank_kp]).unwrap();
    // The order cannot continue, the round cannot finalise ...
    let next = pda::member(Role::Creator, &ws[1].pubkey());
    expect_err(
        f.send(&[ix::rank_batch(&crank_kp.pubkey(), Role::Creator, 1, &[next])], &[&crank_kp]),
        PictorError::OrderViolation,
    );
    expect_err(
        f.send(&[ix::finalise_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]),
        PictorError::RoundIncomplete,
    );
    // ... and the rank-1 credit it made is not the lowest member's to take.
    expect_err(withdraw(&mut f, &r, Role::Creator, &ws[0]), PictorError::NothingToWithdraw);
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 0);
    assert_vault_covers(&mut f, Role::Creator);
    // Abandoned: its whole funding goes to the next round, its credit is void.
    f.send(&[ix::abandon_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    assert_eq!(f.board(Role::Creator).rewards.pending_base_units, 9 * USDT);
    expect_err(withdraw(&mut f, &r, Role::Creator, &ws[0]), PictorError::NothingToWithdraw);
    assert_vault_covers(&mut f, Role::Creator);
    // The honest next round pays the true top member, as an honest first round would have.
    run(&mut f, Role::Creator);
    let got: Vec<u64> = ws.iter().map(|w| reward_balance(&mut f, Role::Creator, w)).collect();
    assert_eq!(got, vec![0, 0, 9 * USDT]);
    withdraw(&mut f, &r, Role::Creator, &ws[2]).unwrap();
    expect_err(withdraw(&mut f, &r, Role::Creator, &ws[0]), PictorError::NothingToWithdraw);
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn credits_are_not_withdrawable_until_the_round_is_finalised() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN);
    let ws = creators(&mut f, &[1, 2]);
    fund(&mut f, &r, Role::Creator, 4 * USDT, 2).unwrap();
    let crank_kp = f.crank.insecure_clone();
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    let order = [pda::member(Role::Creator, &ws[1].pubkey()), pda::member(Role::Creator, &ws[0].pubkey())];
    f.send(&[ix::rank_batch(&crank_kp.pubkey(), Role::Creator, 1, &order)], &[&crank_kp]).unwrap();
    // Ranked and credited, but the round is not final: nothing to withdraw, no liability yet.
    expect_err(withdraw(&mut f, &r, Role::Creator, &ws[1]), PictorError::NothingToWithdraw);
    let board = f.board(Role::Creator);
    assert_eq!((board.open.unwrap().reward.credited_base_units, board.rewards.liability_base_units), (4 * USDT, 0));
    f.send(&[ix::finalise_round(&crank_kp.pubkey(), Role::Creator, 1)], &[&crank_kp]).unwrap();
    assert_eq!(f.board(Role::Creator).rewards.liability_base_units, 4 * USDT);
    withdraw(&mut f, &r, Role::Creator, &ws[1]).unwrap();
    assert_eq!(token_balance(&mut f, &pda::reward_destination(&ws[1].pubkey(), &r.mint, &r.program)), 2 * USDT);
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn a_member_that_leaves_before_its_round_is_final_gets_nothing_from_it_and_keeps_what_was_final() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1, 2]);
    fund(&mut f, &r, Role::Creator, 6 * USDT, 2).unwrap();
    run(&mut f, Role::Creator);
    // Round 2: ranked and credited, then its holder burns and someone syncs mid-round.
    fund(&mut f, &r, Role::Creator, 10 * USDT, 2).unwrap();
    let crank_kp = f.crank.insecure_clone();
    f.send(&[ix::open_round(&crank_kp.pubkey(), Role::Creator, 2)], &[&crank_kp]).unwrap();
    let top = pda::member(Role::Creator, &ws[1].pubkey());
    f.send(&[ix::rank_batch(&crank_kp.pubkey(), Role::Creator, 2, &[top])], &[&crank_kp]).unwrap();
    f.burn_pass(Role::Creator, &ws[1]);
    f.send(&[ix::sync_pass(Role::Creator, &ws[1].pubkey(), &f.rt.fee_payer())], &[]).unwrap();
    // Round 1's 3 USDT are its own; round 2's tentative 5 USDT went back to the round.
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[1]), 3 * USDT);
    assert_eq!(f.board(Role::Creator).open.unwrap().reward.credited_base_units, 0);
    run(&mut f, Role::Creator);
    let board = f.board(Role::Creator);
    assert_eq!(board.finalised.as_ref().unwrap().reward.credited_base_units, 5 * USDT);
    assert_eq!(board.rewards.carry_base_units, 5 * USDT, "the leaver's share carries to the next funded round");
    assert_eq!(reward_balance(&mut f, Role::Creator, &ws[0]), 3 * USDT + 5 * USDT);
    withdraw(&mut f, &r, Role::Creator, &ws[1]).unwrap();
    assert_vault_covers(&mut f, Role::Creator);
}

#[test]
fn a_mint_with_a_close_authority_is_refused_at_every_funding() {
    use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
    use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
    let mut f = Fixture::new();
    let closable = extended_mint(&mut f, &[ExtensionType::MintCloseAuthority], |mint, admin| {
        vec![token_ix::initialize_mint_close_authority(&TOKEN_2022, mint, Some(admin)).unwrap()]
    });
    expect_err(fund(&mut f, &closable, Role::Creator, USDT, 1), PictorError::UnsupportedRewardMint);
    assert!(f.account(&pda::reward_vault(Role::Creator)).is_none());
    // Positive control: the same extension with no authority set cannot close anything.
    let not_closable = extended_mint(&mut f, &[ExtensionType::MintCloseAuthority], |mint, _| {
        vec![token_ix::initialize_mint_close_authority(&TOKEN_2022, mint, None).unwrap()]
    });
    fund(&mut f, &not_closable, Role::Creator, USDT, 1).unwrap();
}

#[test]
fn a_mint_that_changed_under_the_vault_is_refused_at_the_next_funding_and_withdrawal() {
    use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
    use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1]);
    fund(&mut f, &r, Role::Creator, 2 * USDT, 1).unwrap();
    run(&mut f, Role::Creator);
    // The issuer closes its mint and recreates it at the same address with a
    // permanent delegate (forced here: a mint this program accepts cannot be closed).
    let drainer = extended_mint(&mut f, &[ExtensionType::PermanentDelegate], |mint, admin| {
        vec![token_ix::initialize_permanent_delegate(&TOKEN_2022, mint, admin).unwrap()]
    });
    let recreated = f.account(&drainer.mint).unwrap();
    f.rt.set_account(&r.mint, recreated);
    let payer = f.rt.fee_payer();
    let keys =
        [pda::board(Role::Creator), pda::member(Role::Creator, &ws[0].pubkey()), pda::reward_vault(Role::Creator)];
    let before = f.snapshot(&keys);
    expect_err(fund(&mut f, &r, Role::Creator, USDT, 1), PictorError::UnsupportedRewardMint);
    expect_err(
        f.send(&[ix::withdraw_rewards(&ws[0].pubkey(), &payer, Role::Creator, &r.mint, &r.program)], &[&ws[0]]),
        PictorError::UnsupportedRewardMint,
    );
    assert_eq!(f.snapshot(&keys), before, "refusals change nothing");
}

#[test]
fn lifetime_totals_saturate_and_never_refuse_a_funding_or_a_withdrawal() {
    let mut f = Fixture::new();
    let r = reward_mint(&mut f, TOKEN_2022);
    let ws = creators(&mut f, &[1]);
    fund(&mut f, &r, Role::Creator, USDT, 1).unwrap();
    run(&mut f, Role::Creator);
    // Both statistics one base unit short of u64::MAX (forced: reaching it takes 18 × 10¹² USDT).
    let key = pda::board(Role::Creator);
    let mut account = f.account(&key).unwrap();
    let mut board = f.board(Role::Creator);
    board.rewards.funded_total_base_units = u64::MAX - 1;
    board.rewards.withdrawn_total_base_units = u64::MAX - 1;
    let mut data = Vec::new();
    anchor_lang::AccountSerialize::try_serialize(&board, &mut data).unwrap();
    account.data[..data.len()].copy_from_slice(&data);
    f.rt.set_account(&key, account);
    fund(&mut f, &r, Role::Creator, 5 * USDT, 1).unwrap();
    withdraw(&mut f, &r, Role::Creator, &ws[0]).unwrap();
    let rewards = f.board(Role::Creator).rewards;
    assert_eq!((rewards.funded_total_base_units, rewards.withdrawn_total_base_units), (u64::MAX, u64::MAX));
    assert_vault_covers(&mut f, Role::Creator);
}
