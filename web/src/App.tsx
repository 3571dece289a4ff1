import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { RequireSignIn, RoleGate } from './components/Layouts';
import { ToastProvider } from './components/Toasts';
import { EmptyState, LoadingState } from './components/ui';
import { createDeskQueryClient } from './lib/queryClient';
import { canAudit, canManageSupport, canOperate, homeOf, isAdmin, SessionProvider, useSession } from './lib/session';
import { AuditIndexPage } from './pages/AuditIndexPage';
import { AuditThreadPage } from './pages/AuditThreadPage';
import { GuestPage } from './pages/GuestPage';
import { HeldMailPage } from './pages/HeldMailPage';
import { InboxPage } from './pages/InboxPage';
import { OpsPage } from './pages/OpsPage';
import { PortalAssignmentPage } from './pages/PortalAssignmentPage';
import { PortalHomePage } from './pages/PortalHomePage';
import { PortalThreadPage } from './pages/PortalThreadPage';
import { RatePage } from './pages/RatePage';
import { SignInPage } from './pages/SignInPage';
import { SystemConfigPage } from './pages/SystemConfigPage';
import { MySettingsPage } from './pages/MySettingsPage';
import { ServiceLevelsPage } from './pages/ServiceLevelsPage';
import { SlaCalendarPage } from './pages/SlaCalendarPage';
import { SlaPolicyPage } from './pages/SlaPolicyPage';

// the charts library is loaded only by the reports page
const ReportsPage = lazy(() => import('./pages/ReportsPage').then((m) => ({ default: m.ReportsPage })));

function Home() {
  const { state } = useSession();
  if (state.status === 'loading') return <LoadingState />;
  if (state.status === 'anonymous') return <Navigate to="/sign-in" replace />;
  return <Navigate to={homeOf(state.identity)} replace />;
}

function NotFound() {
  return (
    <main id="main" className="center-page">
      <div className="card center-card">
        <EmptyState icon="search" title="Page not found">
          The address may be mistyped, or the page has moved.
        </EmptyState>
        <a className="btn btn-primary" href="/">
          Go home
        </a>
      </div>
    </main>
  );
}

function SignedInApp() {
  return (
    <SessionProvider>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/sign-in" element={<SignInPage />} />
        <Route element={<RequireSignIn kind="staff" />}>
          <Route path="/admin" element={<Navigate to="/admin/support" replace />} />
          <Route path="/admin/support" element={<InboxPage />} />
          <Route
            path="/admin/my-settings"
            element={
              <RoleGate allow={canManageSupport}>
                <MySettingsPage />
              </RoleGate>
            }
          />
          <Route
            path="/admin/reports"
            element={
              <RoleGate allow={canManageSupport}>
                <Suspense fallback={<LoadingState text="Loading the reports…" />}>
                  <ReportsPage />
                </Suspense>
              </RoleGate>
            }
          />
          <Route
            path="/admin/held-mail"
            element={
              <RoleGate allow={canManageSupport}>
                <HeldMailPage />
              </RoleGate>
            }
          />
          <Route
            path="/admin/system-config"
            element={
              <RoleGate allow={isAdmin}>
                <SystemConfigPage />
              </RoleGate>
            }
          />
          {/* admins edit service levels; agents may read them (the drawer links its policy here) */}
          <Route
            path="/admin/service-levels"
            element={
              <RoleGate allow={canManageSupport}>
                <ServiceLevelsPage />
              </RoleGate>
            }
          />
          <Route
            path="/admin/service-levels/calendars/:calendarId"
            element={
              <RoleGate allow={canManageSupport}>
                <SlaCalendarPage />
              </RoleGate>
            }
          />
          <Route
            path="/admin/service-levels/policies/:policyId"
            element={
              <RoleGate allow={canManageSupport}>
                <SlaPolicyPage />
              </RoleGate>
            }
          />
          <Route
            path="/ops"
            element={
              <RoleGate allow={canOperate}>
                <OpsPage />
              </RoleGate>
            }
          />
          <Route
            path="/audit"
            element={
              <RoleGate allow={canAudit}>
                <AuditIndexPage />
              </RoleGate>
            }
          />
          <Route
            path="/audit/threads/:threadId"
            element={
              <RoleGate allow={canAudit}>
                <AuditThreadPage />
              </RoleGate>
            }
          />
        </Route>
        <Route element={<RequireSignIn kind="partner" />}>
          <Route path="/portal" element={<PortalHomePage />} />
          <Route path="/portal/assignments/:assignmentId" element={<PortalAssignmentPage />} />
          <Route path="/portal/threads/:threadId" element={<PortalThreadPage />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Routes>
    </SessionProvider>
  );
}

export function App() {
  // one query cache for the whole app (useDeskQuery reads through it)
  const [queryClient] = useState(createDeskQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <ToastProvider>
          <Routes>
            {/* guests have no session: their page never asks who is signed in */}
            <Route path="/t/:token" element={<GuestPage />} />
            {/* the satisfaction survey's page: no sign-in, its link's token is the key */}
            <Route path="/rate/:token" element={<RatePage />} />
            <Route path="*" element={<SignedInApp />} />
          </Routes>
        </ToastProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
